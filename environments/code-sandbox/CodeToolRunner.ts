import type { ToolResult } from '../../core/contracts/Environment.js';
import type { RunCodeResponse, Sandbox, SandboxLanguage, SandboxWorkspace } from '../../core/contracts/Sandbox.js';
import type { Artifact } from '../../core/model/Artifact.js';
import type { Message } from '../../core/model/Message.js';
import type { ToolCall } from '../../core/model/ToolCall.js';
import { TemplateEngine } from '../../core/util/createTemplateEngine.js';
import { truncateMiddle } from '../../core/util/truncate.js';
import { openWorkspaceFor } from '../../plugins/sandboxes/shared/RoundTripWorkspace.js';
import { DEFAULT_TOOL_RESPONSE_TEMPLATE } from './defaultToolResponseTemplate.js';
import { extractCodeBlocks, type CodeBlock } from './extractCodeBlocks.js';
import { FileTracker } from './FileTracker.js';

export interface CodeToolOptions {
  /** Fence languages that run (default python). */
  readonly languages?: readonly SandboxLanguage[];
  /** Wall-clock limit per block in seconds (default: the sandbox's). */
  readonly runTimeout?: number | undefined;
  readonly memoryLimitMb?: number | undefined;
  /** Blocks run per action; the rest are reported as skipped (default 4). */
  readonly maxBlocksPerAction?: number;
  /** Stop at the first block that fails, like AutoGen's executor (default true). */
  readonly stopOnError?: boolean;
  /** Characters of stdout and of stderr per block in the tool response (default 2000, head and tail kept). */
  readonly outputLimit?: number;
  /** Liquid template of the tool response (default DEFAULT_TOOL_RESPONSE_TEMPLATE). */
  readonly template?: string | undefined;
  /** Or a template file (takes precedence over `template`). */
  readonly templateFile?: string | undefined;
  /** `ToolCall.tool` of each block (default `code`). */
  readonly toolName?: string;
  /** Role of the tool-response message (default `user`, as the MAPPA reference appends it to the next user turn). */
  readonly messageRole?: 'user' | 'tool';
  readonly templates?: TemplateEngine;
  /** Workspace paths that do not count as written files (default: `__pycache__` and `.ipynb_checkpoints`). */
  readonly ignoreFiles?: (path: string) => boolean;
}

/** One executed block as the tool-response template sees it. */
export interface CodeRunView {
  readonly index: number;
  readonly language: string;
  readonly status: ToolCall['status'];
  readonly exitCode: number | string;
  readonly stdout: string;
  readonly stderr: string;
  readonly truncated: boolean;
  /** Seconds allowed ('' when the sandbox's default applies). */
  readonly timeout: number | string;
  readonly limit: string;
  readonly message: string;
  readonly durationMs: number;
}

export interface CodeToolStats {
  blocks: number;
  runs: number;
  errors: number;
  timeouts: number;
  sandboxErrors: number;
  skipped: number;
}

const DEFAULT_IGNORE = (path: string) => /(^|\/)(__pycache__|\.ipynb_checkpoints)(\/|$)/.test(path);

function status(r: RunCodeResponse): ToolCall['status'] {
  if (r.status !== 'Success' || !r.runResult) return 'sandbox-error';
  if (r.runResult.status === 'TimeLimitExceeded') return 'timeout';
  return r.runResult.status === 'Finished' ? 'ok' : 'error';
}

/**
 * The reusable code tool: fenced blocks of an action → sandbox runs in the episode's workspace → a ToolResult
 * (calls, the templated tool-response message, the files the action created or changed). The code-sandbox,
 * MathChat and DSBench environments all run agent code through it.
 */
export class CodeToolRunner {
  readonly stats: CodeToolStats = { blocks: 0, runs: 0, errors: 0, timeouts: 0, sandboxErrors: 0, skipped: 0 };
  readonly #templates: TemplateEngine;

  constructor(
    readonly workspace: SandboxWorkspace,
    readonly tracker: FileTracker,
    readonly options: CodeToolOptions = {},
  ) {
    this.#templates = options.templates ?? new TemplateEngine();
  }

  /** Opens a workspace in `sandbox` (a round-trip emulation if it has no workspace mode), seeds it and takes the baseline. */
  static async open(
    sandbox: Sandbox,
    options: CodeToolOptions & { readonly seedFiles?: Readonly<Record<string, Uint8Array>>; readonly seedOwner?: string } = {},
  ): Promise<CodeToolRunner> {
    const workspace = await openWorkspaceFor(sandbox, options.seedFiles ? { seedFiles: options.seedFiles } : {});
    const tracker = new FileTracker(workspace.hostDir, { ignore: options.ignoreFiles ?? DEFAULT_IGNORE });
    await tracker.baseline(options.seedOwner ?? 'environment');
    return new CodeToolRunner(workspace, tracker, options);
  }

  /** Host directory of the workspace (read it with `safeReadFile`: agents can plant symlinks). */
  get workspaceDir(): string {
    return this.workspace.hostDir;
  }

  /** The runnable blocks of an action (outside `<think>`), limited to `languages` when given. */
  blocks(text: string, languages?: readonly string[]): CodeBlock[] {
    return extractCodeBlocks(text, languages ?? this.options.languages ?? ['python']);
  }

  /**
   * Runs the action's code blocks in order; `undefined` when it has none (which ends the agent's turn).
   * `languages` narrows the configured languages for this agent.
   */
  async execute(agentId: string, actionIndex: number, text: string, languages?: readonly string[]): Promise<ToolResult | undefined> {
    const blocks = this.blocks(text, languages);
    if (blocks.length === 0) return undefined;
    const max = this.options.maxBlocksPerAction ?? 4;
    const limit = this.options.outputLimit ?? 2000;
    const calls: ToolCall[] = [];
    const views: CodeRunView[] = [];
    let skipped = 0;
    this.stats.blocks += blocks.length;
    for (const [index, block] of blocks.entries()) {
      if (index >= max || (this.options.stopOnError !== false && views.some((v) => v.status !== 'ok'))) {
        skipped = blocks.length - index;
        break;
      }
      const started = performance.now();
      const response = await this.workspace.run({
        code: block.code,
        language: block.language as SandboxLanguage,
        ...(this.options.runTimeout !== undefined ? { runTimeout: this.options.runTimeout } : {}),
        ...(this.options.memoryLimitMb !== undefined ? { memoryLimitMb: this.options.memoryLimitMb } : {}),
      });
      const durationMs = Math.round(performance.now() - started);
      const rr = response.runResult;
      const st = status(response);
      const stdout = truncateMiddle((rr?.stdout ?? '').trimEnd(), limit);
      const stderr = truncateMiddle((rr?.stderr ?? '').trimEnd(), limit);
      const truncated = Boolean(rr?.stdoutTruncated || rr?.stderrTruncated) || stdout.length < (rr?.stdout.trimEnd().length ?? 0) || stderr.length < (rr?.stderr.trimEnd().length ?? 0);
      this.stats.runs++;
      if (st === 'error') this.stats.errors++;
      if (st === 'timeout') this.stats.timeouts++;
      if (st === 'sandbox-error') this.stats.sandboxErrors++;
      views.push({
        index,
        language: block.language,
        status: st,
        exitCode: rr?.returnCode ?? '',
        stdout,
        stderr,
        truncated,
        timeout: this.options.runTimeout ?? '',
        limit: rr?.limitExceeded ?? '',
        message: response.message,
        durationMs,
      });
      calls.push({
        tool: this.options.toolName ?? 'code',
        input: block.code,
        language: block.language,
        status: st,
        output: st === 'sandbox-error' ? response.message : [stdout, stderr].filter(Boolean).join('\n'),
        ...(rr?.returnCode !== undefined && rr.returnCode !== null ? { exitCode: rr.returnCode } : {}),
        durationMs,
      });
    }
    this.stats.skipped += skipped;
    const filesWritten = await this.tracker.commit(agentId, actionIndex);
    const vars = { results: views, skipped, filesWritten: filesWritten.map((f) => f.path) };
    const content = this.options.templateFile
      ? await this.#templates.renderFile(this.options.templateFile, vars)
      : await this.#templates.renderString(this.options.template ?? DEFAULT_TOOL_RESPONSE_TEMPLATE, vars, 'code tool response template');
    const message: Message = { role: this.options.messageRole ?? 'user', content };
    return {
      calls,
      message,
      filesWritten,
      extras: {
        codeBlocks: blocks.length,
        ran: views.length,
        skipped,
        errors: views.filter((v) => v.status === 'error').length,
        timeouts: views.filter((v) => v.status === 'timeout').length,
        sandboxErrors: views.filter((v) => v.status === 'sandbox-error').length,
        truncated: views.some((v) => v.truncated),
      },
    };
  }

  /** Every workspace file with the agent (or `environment`) that wrote it. */
  files(): Artifact[] {
    return this.tracker.list();
  }

  async close(): Promise<void> {
    await this.workspace.close();
  }
}
