import type { Logger } from '../../core/contracts/Logger.js';
import type { PluginDeps } from '../../core/plugins/PluginDefinition.js';

/** Where an LLM coach lives: taken from the run context in a pipeline, or given directly by library users. */
export interface LlmCoachEnv {
  /** Relative template and cache paths resolve against it (default: the working directory). */
  readonly baseDir?: string | undefined;
  /** Shared cache directory; the coach cache goes to `<cacheDir>/coach` (default: no disk cache). */
  readonly cacheDir?: string | undefined;
  readonly seed?: number | undefined;
  readonly logger?: Logger | undefined;
  /** Config path for error messages (e.g. `coach`). */
  readonly path?: string | undefined;
}

/** The environment of a coach created by the plugin system. */
export function llmCoachEnv(deps: PluginDeps): LlmCoachEnv {
  return { baseDir: deps.run.baseDir, cacheDir: deps.run.cacheDir, seed: deps.run.seed, logger: deps.logger, path: deps.path };
}
