import { z } from 'zod';
import { pluginRef } from '../../core/plugins/pluginRef.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';

export const CodeSandboxEnvironmentConfig = z.strictObject({
  sandbox: pluginRef('sandbox').default({ use: 'bubblewrap' }).describe('Sandbox the code runs in (default bubblewrap)'),
  languages: z.array(z.enum(['python', 'node', 'bash'])).min(1).default(['python']).describe('Fenced-block languages that run'),
  runTimeout: z.number().positive().default(10).describe('Wall-clock limit per code block in seconds'),
  memoryLimitMb: z.number().int().min(64).optional().describe("Address-space limit per block in MB (default: the sandbox's)"),
  maxBlocksPerAction: z.number().int().min(1).default(4),
  stopOnError: z.boolean().default(true).describe('Skip the remaining blocks of an action after one fails'),
  outputLimit: z.number().int().min(100).default(2000).describe('Characters of stdout and of stderr per block in the tool response'),
  template: z.string().optional().describe('Liquid template of the tool response (variables: results, skipped, filesWritten)'),
  templateFile: z.string().optional().describe('Liquid template file of the tool response, relative to the pipeline file'),
  toolName: z.string().default('code').describe('Tool name agents list in `tools:` to run every configured language'),
  messageRole: z.enum(['user', 'tool']).default('user'),
  taskFiles: z.string().default('files').describe('Task metadata field with files to copy into the workspace: {workspacePath: hostPath} or [hostPath]'),
  answerPattern: z.string().default('\\\\boxed\\{([^{}]*)\\}').describe("Regex (first group) that extracts the final answer from the last agent's output"),
  keepWorkspace: z.boolean().default(false).describe("Copy the workspace's files into the episode's work dir at the end (kept with run.keepWorkDirs)"),
  numericTolerance: z.number().min(0).default(1e-6).describe('Relative tolerance when the answer and the ground truth are numbers'),
});
export type CodeSandboxEnvironmentConfig = z.output<typeof CodeSandboxEnvironmentConfig>;

export const codeSandboxEnvironmentPlugin = definePlugin({
  kind: 'environment',
  name: 'code-sandbox',
  capabilities: { environmentTools: (c: { toolName: string; languages: readonly string[] }) => [c.toolName, ...c.languages] },
  description:
    'Runs the fenced code blocks of agent actions (outside <think>) in a sandbox workspace per episode, returns a templated tool response and records which files each action wrote.',
  configSchema: CodeSandboxEnvironmentConfig,
  create: async (config, deps) => {
    const { CodeSandboxEnvironment } = await import('./CodeSandboxEnvironment.js');
    const sandbox = await deps.plugins.create('sandbox', config.sandbox, `${deps.path}.sandbox`);
    return new CodeSandboxEnvironment(config, sandbox, { baseDir: deps.run.baseDir, logger: deps.logger });
  },
});
