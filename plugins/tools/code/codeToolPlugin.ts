import { z } from 'zod';
import type { Sandbox, SandboxLanguage } from '../../../core/contracts/Sandbox.js';
import type { ToolSource } from '../../../core/contracts/Tool.js';
import { pluginRef } from '../../../core/plugins/pluginRef.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import type { PluginDefinition } from '../../../core/plugins/PluginDefinition.js';
import { defineTool, staticToolSource } from '../../../core/tools/defineTool.js';
import { formatCodeRun } from './formatCodeRun.js';

const CodeToolConfig = z.strictObject({
  name: z.string().optional().describe('Tool name the policy sees (default: the plugin name)'),
  description: z.string().optional(),
  runTimeout: z.number().positive().default(10).describe('Seconds one call may run in the sandbox'),
  sandbox: pluginRef('sandbox')
    .default({ use: 'bubblewrap' })
    .describe("Sandbox used when the environment has no workspace of its own (otherwise code runs in the environment's workspace)"),
});
export type CodeToolConfig = z.output<typeof CodeToolConfig>;

export interface CodeToolOptions {
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly runTimeout?: number;
  /** Runs code when the episode has no workspace; created on first use. */
  readonly sandbox: () => Promise<Sandbox>;
}

const DESCRIPTIONS: Record<'python' | 'bash', string> = {
  python: 'Runs Python code in the episode sandbox (files persist in the workspace) and returns what it printed.',
  bash: 'Runs a bash script in the episode sandbox (files persist in the workspace) and returns its output.',
};

/** A `python` or `bash` tool: code runs in the episode's sandbox workspace, or in a fresh sandbox run without one. */
export function createCodeTool(language: 'python' | 'bash', o: CodeToolOptions): ToolSource {
  let sandbox: Promise<Sandbox> | undefined;
  const runTimeout = o.runTimeout ?? 10;
  const tool = defineTool({
    name: o.name ?? language,
    description: o.description ?? DESCRIPTIONS[language],
    parameters: z.object({ code: z.string().min(1).describe(language === 'python' ? 'Python source to run' : 'bash script to run') }),
    // The sandbox enforces its own limit; give it a margin so its timeout message wins.
    timeoutMs: (runTimeout + 5) * 1000,
    async execute({ code }, ctx) {
      const request = { code, language: language as SandboxLanguage, runTimeout };
      if (ctx.workspace) return formatCodeRun(await ctx.workspace.run(request));
      sandbox ??= o.sandbox();
      return formatCodeRun(await (await sandbox).run(request));
    },
  });
  const source = staticToolSource(tool.name, [tool]);
  return {
    ...source,
    async dispose() {
      if (sandbox) await (await sandbox).dispose?.();
    },
  };
}

function codeToolPlugin(language: 'python' | 'bash'): PluginDefinition<'tool', CodeToolConfig> {
  return definePlugin({
    kind: 'tool',
    name: language,
    description: `Function tool \`${language}({ code })\`: runs ${language} in the episode's sandbox workspace (code blocks keep working alongside).`,
    configSchema: CodeToolConfig,
    capabilities: { toolNames: (c: CodeToolConfig) => [c.name ?? language] },
    create: (config, deps) =>
      createCodeTool(language, {
        name: config.name,
        description: config.description,
        runTimeout: config.runTimeout,
        sandbox: () => deps.plugins.create('sandbox', config.sandbox, `${deps.path}.sandbox`),
      }),
  });
}

export const pythonToolPlugin = codeToolPlugin('python');
export const bashToolPlugin = codeToolPlugin('bash');
