import type { ServiceIdentifier } from 'inversify';
import type { Logger } from '../contracts/Logger.js';
import type { RunContext } from '../contracts/RunContext.js';
import type { PluginFactory } from './PluginFactory.js';

/**
 * The DI service identifiers a plugin's default container module resolves (its `PluginDeps`). They are declared
 * here, in the plugin layer, so the plugin system does not import core/di; `TOKENS` (core/di/tokens.ts) reuses
 * these same symbols.
 */
export const PLUGIN_TOKENS = {
  Logger: Symbol.for('mappa.Logger') as ServiceIdentifier<Logger>,
  RunContext: Symbol.for('mappa.RunContext') as ServiceIdentifier<RunContext>,
  PluginFactory: Symbol.for('mappa.PluginFactory') as ServiceIdentifier<PluginFactory>,
} as const;
