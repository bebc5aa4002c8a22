import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../core/contracts/Logger.js';
import type { RunContext } from '../core/contracts/RunContext.js';
import type { PluginDeps } from '../core/plugins/PluginDefinition.js';
import { PluginFactory } from '../core/plugins/PluginFactory.js';
import type { PluginInstanceMap, PluginKind } from '../core/plugins/PluginKind.js';
import { PluginRegistry } from '../core/plugins/PluginRegistry.js';
import type { PluginDefinition } from '../core/plugins/PluginDefinition.js';
import { silentLogger } from '../core/util/createLogger.js';
import { createBuiltinRegistry } from '../plugins/builtins.js';

export interface TestRunContext extends RunContext {
  /** Removes the run and cache directories. */
  dispose(): void;
}

/** A run context on fresh temporary directories (nothing is written outside them); `baseDir` defaults to the cwd. */
export function createTestRunContext(options: { baseDir?: string; seed?: number; signal?: AbortSignal } = {}): TestRunContext {
  const root = mkdtempSync(join(tmpdir(), 'mappa-test-run-'));
  return {
    runDir: join(root, 'run'),
    cacheDir: join(root, 'cache'),
    baseDir: options.baseDir ?? process.cwd(),
    seed: options.seed ?? 0,
    signal: options.signal ?? new AbortController().signal,
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * What a plugin's `create(config, deps)` receives in a run: a run context, a silent logger and a plugin factory
 * that knows the built-ins (for nested refs such as an environment's sandbox) plus `plugins`.
 */
export function testPluginDeps(options: { run?: RunContext; logger?: Logger; plugins?: readonly PluginDefinition<PluginKind, any>[]; path?: string; id?: string } = {}): PluginDeps {
  const registry: PluginRegistry = createBuiltinRegistry();
  if (options.plugins) registry.registerAll(options.plugins, 'test');
  const run = options.run ?? createTestRunContext();
  const logger = options.logger ?? silentLogger;
  return { run, logger, plugins: new PluginFactory(registry, run, logger), path: options.path ?? '(test)', id: options.id ?? '(test)' };
}

/**
 * Creates an instance the way a pipeline does: the config (as written next to `use:`) is parsed with the plugin's
 * schema, so defaults apply and a bad config fails with zod's message.
 */
export async function createPluginInstance<K extends PluginKind>(
  definition: PluginDefinition<K, any>,
  config: Record<string, unknown> = {},
  deps: Partial<PluginDeps> = {},
): Promise<PluginInstanceMap[K]> {
  const parsed = definition.configSchema.parse(config);
  const base = testPluginDeps({ plugins: [definition as PluginDefinition<PluginKind, any>], path: definition.name, id: definition.name });
  return definition.create(parsed, { ...base, ...deps });
}
