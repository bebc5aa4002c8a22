import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { AgentSpec } from '../../core/contracts/AgentSpec.js';
import type { Environment, EpisodeContext, EpisodeEnvironment, Observation, ToolResult } from '../../core/contracts/Environment.js';
import type { Logger } from '../../core/contracts/Logger.js';
import type { Sandbox } from '../../core/contracts/Sandbox.js';
import type { ActionRecord } from '../../core/model/Action.js';
import type { AgentTurn, Outcome } from '../../core/model/Episode.js';
import type { Task } from '../../core/model/Task.js';
import { TemplateEngine } from '../../core/util/createTemplateEngine.js';
import { MappaError } from '../../core/util/MappaError.js';
import type { CodeSandboxEnvironmentConfig } from './codeSandboxEnvironmentPlugin.js';
import type { CodeSandboxCoachFacts } from './coachFacts.js';
import { CodeToolRunner } from './CodeToolRunner.js';
import { listWorkspaceFiles, safeReadFile, safeWriteFile } from '../../plugins/sandboxes/shared/workspaceFiles.js';
import { normalizeLanguage } from './extractCodeBlocks.js';
import { gradeAnswer } from './gradeAnswer.js';

/** Reads the files a task lists in `metadata[field]` ({workspacePath: hostPath} or [hostPath]). */
async function taskFiles(task: Task, field: string, baseDir: string): Promise<Record<string, Uint8Array>> {
  const spec = task.metadata[field];
  if (spec === undefined) return {};
  const entries: Array<[string, string]> = Array.isArray(spec)
    ? spec.map((p) => [basename(String(p)), String(p)])
    : typeof spec === 'object' && spec !== null
      ? Object.entries(spec as Record<string, unknown>).map(([k, v]) => [k, String(v)])
      : [];
  const out: Record<string, Uint8Array> = {};
  for (const [rel, host] of entries) {
    const full = isAbsolute(host) ? host : resolve(baseDir, host);
    try {
      out[rel] = await readFile(full);
    } catch (err) {
      throw new MappaError(`task ${task.id}: cannot read file ${full} (metadata.${field}.${rel}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return out;
}

/** Copies the regular files of a workspace (never through planted symlinks) to a host directory. */
async function copyWorkspace(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await listWorkspaceFiles(from)) {
    const data = await safeReadFile(from, entry.path);
    if (data) await safeWriteFile(to, entry.path, data);
  }
}

/** Generic code-execution environment: one sandbox workspace per episode, shared by all its agents. */
export class CodeSandboxEnvironment implements Environment {
  readonly name = 'code-sandbox';
  readonly #templates = new TemplateEngine();

  constructor(
    readonly config: CodeSandboxEnvironmentConfig,
    readonly sandbox: Sandbox,
    readonly o: { readonly baseDir: string; readonly logger?: Logger },
  ) {}

  /** Languages an agent may run: all configured ones if it lists the tool name, else those it lists by name. */
  languagesFor(agent: AgentSpec): string[] {
    const configured: string[] = this.config.languages;
    if (agent.tools.includes(this.config.toolName)) return configured;
    const named = configured.filter((l) => agent.tools.some((t) => normalizeLanguage(t) === l));
    return named.length > 0 ? named : configured;
  }

  async createEpisode(task: Task, context: EpisodeContext): Promise<EpisodeEnvironment> {
    const c = this.config;
    const runner = await CodeToolRunner.open(this.sandbox, {
      seedFiles: await taskFiles(task, c.taskFiles, this.o.baseDir),
      languages: c.languages,
      runTimeout: c.runTimeout,
      memoryLimitMb: c.memoryLimitMb,
      maxBlocksPerAction: c.maxBlocksPerAction,
      stopOnError: c.stopOnError,
      outputLimit: c.outputLimit,
      template: c.template,
      templateFile: c.templateFile ? resolve(this.o.baseDir, c.templateFile) : undefined,
      toolName: c.toolName,
      messageRole: c.messageRole,
      templates: this.#templates,
    });
    const env = this;
    return {
      async observe(_agent: AgentSpec, _upstream: ReadonlyMap<string, AgentTurn>): Promise<Observation> {
        const files = runner.files().map((f) => ({ path: f.path, bytes: f.bytes, writtenBy: f.writtenBy }));
        return { vars: { files, languages: c.languages, workspace: '/workspace' } };
      },
      async executeTools(agent, action): Promise<ToolResult | undefined> {
        return runner.execute(agent.id, action.index, action.text, env.languagesFor(agent));
      },
      workspace() {
        return runner.sandboxWorkspace;
      },
      async commitFiles(agent, actionIndex) {
        return runner.commitFiles(agent.id, actionIndex);
      },
      async artifacts() {
        return runner.files();
      },
      async coachContext(agent: AgentSpec, action: ActionRecord): Promise<CodeSandboxCoachFacts> {
        const files = runner.files();
        return {
          codeRuns: action.toolCalls.map((t) => ({ language: t.language ?? '', status: t.status, exitCode: t.exitCode ?? null })),
          filesWrittenByAction: action.filesWritten.map((f) => f.path),
          workspaceFiles: files.map((f) => ({ path: f.path, bytes: f.bytes, writtenBy: f.writtenBy })),
          filesFromEarlierAgents: files.filter((f) => f.writtenBy !== agent.id && f.writtenBy !== 'environment').map((f) => f.path),
        };
      },
      groundTruth() {
        return task.groundTruth;
      },
      async evaluate(turns: ReadonlyMap<string, AgentTurn>): Promise<Outcome> {
        const last = [...turns.values()].at(-1);
        const s = runner.stats;
        const metrics = { codeRuns: s.runs, codeErrors: s.errors, codeTimeouts: s.timeouts, sandboxErrors: s.sandboxErrors, files: runner.files().length };
        return { ...gradeAnswer(last?.output ?? '', task.groundTruth, c.answerPattern, c.numericTolerance), metrics };
      },
      async close() {
        try {
          if (c.keepWorkspace) await copyWorkspace(runner.workspaceDir, join(context.workDir, 'workspace'));
        } finally {
          await runner.close();
        }
      },
    };
  }

  async dispose(): Promise<void> {
    await this.sandbox.dispose?.();
  }
}

/**
 * The code-sandbox environment without DI. The sandbox is a dependency (e.g. `await createBubblewrapSandbox()`), so
 * this environment needs no plugin registry; the environment disposes it. `options.sandbox` is only read by the plugin.
 */
export async function createCodeSandboxEnvironment(
  options: import('zod').input<typeof import('./codeSandboxEnvironmentPlugin.js').CodeSandboxEnvironmentConfig>,
  sandbox: Sandbox,
  o: { readonly baseDir?: string; readonly logger?: Logger } = {},
): Promise<CodeSandboxEnvironment> {
  const { CodeSandboxEnvironmentConfig } = await import('./codeSandboxEnvironmentPlugin.js');
  const config = CodeSandboxEnvironmentConfig.parse(options);
  return new CodeSandboxEnvironment(config, sandbox, { baseDir: o.baseDir ?? process.cwd(), ...(o.logger ? { logger: o.logger } : {}) });
}
