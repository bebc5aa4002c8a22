import type { ToolResult } from '../../core/contracts/Environment.js';
import type { Sandbox, SandboxLanguage, SandboxWorkspace } from '../../core/contracts/Sandbox.js';
import type { Artifact } from '../../core/model/Artifact.js';
import type { Message } from '../../core/model/Message.js';
import type { ToolCall } from '../../core/model/ToolCall.js';
import { TemplateEngine } from '../../core/util/createTemplateEngine.js';
import { truncateMiddle } from '../../core/util/truncate.js';
import { openWorkspaceFor } from '../../plugins/sandboxes/shared/RoundTripWorkspace.js';
import { DEFAULT_TOOL_RESPONSE_TEMPLATE } from './defaultToolResponseTemplate.js';
import { extractCodeBlocks, type CodeBlock } from './extractCodeBlocks.js';
import { FileTracker } from './FileTracker.js';
import { codeToolCall, runCodeBlock, type CodeBlockRun, type CodeExecutor } from './runCodeBlock.js';

export interface CodeToolOptions {
  /** Fence languages that run (default python). */
  readonly languages?: readonly SandboxLanguage[];
  /** Wall-clock limit per block in seconds (default: the sandbox's). */
  readonly runTimeout?: number | undefined;
  readonly memoryLimitMb?: number | undefined;
  /** Blocks run per action; the rest are reported as skipped (default 4). */
  readonly maxBlocksPerAction?: number;
  /** Stop at the first block that fails, like AutoGen's executor (default true; MathChat and DSBench run them all). */
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

/** The blocks of one action as they ran, before formatting. */
export interface CodeActionRun {
  /** Runnable blocks found in the action. */
  readonly blocks: number;
  readonly runs: CodeBlockRun[];
  /** Blocks not run (over `maxBlocksPerAction`, or after a failure with `stopOnError`). */
  readonly skipped: number;
  /** Files the action created or changed (always empty for a stateless runner). */
  readonly filesWritten: Artifact[];
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

/** Where blocks run: a workspace that persists through the episode (with file attribution), or fresh stateless runs. */
interface Workspace {
  readonly workspace: SandboxWorkspace;
  readonly tracker: FileTracker;
}

/**
 * The reusable code tool: fenced blocks of an action → sandbox runs → a ToolResult (calls, the templated tool-response
 * message, the files the action created or changed). `open` runs every block of an episode in one workspace (the
 * code-sandbox and DSBench environments); `stateless` gives every block a fresh sandbox run with nothing shared (the
 * MathChat paper's tool loop). Environments with their own response format call `run` and format the runs themselves.
 */
export class CodeToolRunner {
  readonly stats: CodeToolStats = { blocks: 0, runs: 0, errors: 0, timeouts: 0, sandboxErrors: 0, skipped: 0 };
  readonly #templates: TemplateEngine;

  private constructor(
    private readonly exec: CodeExecutor,
    private readonly ws: Workspace | undefined,
    readonly options: CodeToolOptions,
  ) {
    this.#templates = options.templates ?? new TemplateEngine();
  }

  /**
   * Opens a workspace in `sandbox` (a round-trip emulation if it has no workspace mode, which sends the files with
   * every run and fetches back every file, or those matching `fetchFiles`), seeds it and takes the baseline.
   */
  static async open(
    sandbox: Sandbox,
    options: CodeToolOptions & {
      readonly seedFiles?: Readonly<Record<string, Uint8Array>>;
      readonly seedOwner?: string;
      readonly fetchFiles?: readonly string[];
    } = {},
  ): Promise<CodeToolRunner> {
    const workspace = await openWorkspaceFor(sandbox, {
      ...(options.seedFiles ? { seedFiles: options.seedFiles } : {}),
      ...(options.fetchFiles ? { fetch: options.fetchFiles } : {}),
    });
    try {
      const tracker = new FileTracker(workspace.hostDir, { ignore: options.ignoreFiles ?? DEFAULT_IGNORE });
      await tracker.baseline(options.seedOwner ?? 'environment');
      return new CodeToolRunner((request) => workspace.run(request), { workspace, tracker }, options);
    } catch (err) {
      await workspace.close();
      throw err;
    }
  }

  /** Every block runs in a fresh stateless `sandbox.run`: no files and no state survive a block. */
  static stateless(sandbox: Sandbox, options: CodeToolOptions = {}): CodeToolRunner {
    return new CodeToolRunner((request) => sandbox.run(request), undefined, options);
  }

  /** The sandbox workspace blocks run in (undefined for a stateless runner); function tools share it. */
  get sandboxWorkspace(): SandboxWorkspace | undefined {
    return this.ws?.workspace;
  }

  /** Host directory of the workspace (read it with `safeReadFile`: agents can plant symlinks). */
  get workspaceDir(): string {
    if (!this.ws) throw new Error('a stateless CodeToolRunner has no workspace');
    return this.ws.workspace.hostDir;
  }

  /** The runnable blocks of an action (outside `<think>`), limited to `languages` when given. */
  blocks(text: string, languages?: readonly string[]): CodeBlock[] {
    return extractCodeBlocks(text, languages ?? this.options.languages ?? ['python']);
  }

  /**
   * Runs the action's code blocks in order and attributes the files they wrote; `undefined` when it has none.
   * `languages` narrows the configured languages for this agent.
   */
  async run(agentId: string, actionIndex: number, text: string, languages?: readonly string[]): Promise<CodeActionRun | undefined> {
    const blocks = this.blocks(text, languages);
    if (blocks.length === 0) return undefined;
    const max = this.options.maxBlocksPerAction ?? 4;
    const limits = { runTimeout: this.options.runTimeout, memoryLimitMb: this.options.memoryLimitMb };
    const runs: CodeBlockRun[] = [];
    let skipped = 0;
    this.stats.blocks += blocks.length;
    for (const [index, block] of blocks.entries()) {
      if (index >= max || (this.options.stopOnError !== false && runs.some((r) => !r.ok))) {
        skipped = blocks.length - index;
        break;
      }
      const run = await runCodeBlock(this.exec, block, index, limits);
      this.stats.runs++;
      if (run.status === 'error') this.stats.errors++;
      if (run.status === 'timeout') this.stats.timeouts++;
      if (run.status === 'sandbox-error') this.stats.sandboxErrors++;
      runs.push(run);
    }
    this.stats.skipped += skipped;
    const filesWritten = this.ws ? await this.ws.tracker.commit(agentId, actionIndex) : [];
    return { blocks: blocks.length, runs, skipped, filesWritten };
  }

  /** Files created or changed since the last attribution (by function tools, say), credited to this action. */
  async commitFiles(agentId: string, actionIndex: number): Promise<Artifact[]> {
    return this.ws ? this.ws.tracker.commit(agentId, actionIndex) : [];
  }

  /**
   * Runs the action's code blocks (see `run`) and renders the tool response with the configured Liquid template;
   * `undefined` when the action has no code (which ends the agent's turn).
   */
  async execute(agentId: string, actionIndex: number, text: string, languages?: readonly string[]): Promise<ToolResult | undefined> {
    const action = await this.run(agentId, actionIndex, text, languages);
    if (!action) return undefined;
    const limit = this.options.outputLimit ?? 2000;
    const views = action.runs.map((r): CodeRunView => {
      const stdout = truncateMiddle(r.stdout.trimEnd(), limit);
      const stderr = truncateMiddle(r.stderr.trimEnd(), limit);
      return {
        index: r.index,
        language: r.language,
        status: r.status,
        exitCode: r.exitCode ?? '',
        stdout,
        stderr,
        truncated: r.sandboxTruncated || stdout.length < r.stdout.trimEnd().length || stderr.length < r.stderr.trimEnd().length,
        timeout: this.options.runTimeout ?? '',
        limit: r.limit ?? '',
        message: r.message,
        durationMs: r.durationMs,
      };
    });
    const calls = views.map((v, i) =>
      codeToolCall(action.runs[i]!, this.options.toolName ?? 'code', v.status === 'sandbox-error' ? v.message : [v.stdout, v.stderr].filter(Boolean).join('\n')),
    );
    const { filesWritten, skipped } = action;
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
        codeBlocks: action.blocks,
        ran: views.length,
        skipped,
        errors: views.filter((v) => v.status === 'error').length,
        timeouts: views.filter((v) => v.status === 'timeout').length,
        sandboxErrors: views.filter((v) => v.status === 'sandbox-error').length,
        truncated: views.some((v) => v.truncated),
      },
    };
  }

  /** Every workspace file with the agent (or `environment`) that wrote it; empty for a stateless runner. */
  files(): Artifact[] {
    return this.ws ? this.ws.tracker.list() : [];
  }

  async close(): Promise<void> {
    await this.ws?.workspace.close();
  }
}
