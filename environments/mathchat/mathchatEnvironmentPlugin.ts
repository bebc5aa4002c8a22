import { z } from 'zod';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { pluginRef } from '../../core/plugins/pluginRef.js';
import { MathChatEnvironment, type MathChatEnvironmentOptions } from './MathChatEnvironment.js';
import { DEFAULT_BLOCK_TEMPLATE, DEFAULT_RESPONSE_TEMPLATE, DEFAULT_SEPARATOR } from '../code-sandbox/BlockToolResponseFormatter.js';

export const MathChatEnvironmentConfig = z.strictObject({
  sandbox: pluginRef('sandbox').default({ use: 'bubblewrap' }).describe('Sandbox that runs the Code Executor’s blocks (one fresh run per block)'),
  toolName: z.string().default('python').describe('Agents listing this tool run the code blocks of their actions'),
  languages: z.array(z.string()).default(['python']).describe('Fence languages that run (```python, ```py)'),
  runTimeout: z.number().positive().default(10).describe('Seconds per code block (the paper uses 30)'),
  memoryLimitMb: z.number().int().positive().optional(),
  maxBlocks: z.number().int().min(1).default(4).describe('Code blocks run per action; later ones are skipped'),
  maxOutputChars: z.number().int().min(0).default(2000).describe('Characters of stdout/stderr kept per block in the tool response'),
  blockTemplate: z.string().default(DEFAULT_BLOCK_TEMPLATE).describe('Liquid template of one block’s output (ok, status, stdout, stderr, exitCode, code, index)'),
  responseTemplate: z.string().default(DEFAULT_RESPONSE_TEMPLATE).describe('Liquid template of the tool-response turn (output, blocks)'),
  separator: z.string().default(DEFAULT_SEPARATOR).describe('Between the outputs of several blocks'),
  roles: z
    .record(z.string(), z.enum(['solver', 'coder', 'verifier']))
    .default({})
    .describe('Role names mapped to MathChat roles when the names are not recognised (e.g. { "Python Helper": coder })'),
});
export type MathChatEnvironmentConfig = z.output<typeof MathChatEnvironmentConfig>;

/** Plain factory for users without DI: pass a sandbox instance. */
export function createMathChatEnvironment(options: MathChatEnvironmentOptions): MathChatEnvironment {
  return new MathChatEnvironment(options);
}

export const mathchatEnvironmentPlugin = definePlugin({
  kind: 'environment',
  name: 'mathchat',
  capabilities: { environmentTools: (c: { toolName: string; languages: readonly string[] }) => [c.toolName, ...c.languages] },
  description: 'MathChat (paper §2.1): Problem Solver → Code Executor (Python tool) → Verifier (\\boxed{}), graded by exact answer equivalence.',
  configSchema: MathChatEnvironmentConfig,
  create: async (config, deps) => {
    const sandbox = await deps.plugins.create('sandbox', config.sandbox, `${deps.path}.sandbox`);
    return createMathChatEnvironment({
      sandbox,
      toolName: config.toolName,
      languages: config.languages,
      runTimeout: config.runTimeout,
      ...(config.memoryLimitMb !== undefined ? { memoryLimitMb: config.memoryLimitMb } : {}),
      maxBlocks: config.maxBlocks,
      maxOutputChars: config.maxOutputChars,
      blockTemplate: config.blockTemplate,
      responseTemplate: config.responseTemplate,
      separator: config.separator,
      roleOverrides: config.roles,
      path: deps.path,
    });
  },
});
