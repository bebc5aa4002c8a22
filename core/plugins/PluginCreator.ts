import type { PluginInstanceMap, PluginKind } from './PluginKind.js';

/** A `{ use, ...config }` reference to a plugin, as written in a pipeline file. */
export interface PluginRefLike {
  readonly use: string;
  readonly [field: string]: unknown;
}

/**
 * What a plugin's factory gets to create the plugins nested in its config (e.g. an environment's sandbox). An
 * interface here, implemented by `PluginFactory`, so plugin definitions do not depend on pipeline validation.
 */
export interface PluginCreator {
  /** Validates the reference (problems are reported by `path`) and creates the instance. */
  create<K extends PluginKind>(kind: K, ref: PluginRefLike, path: string, id?: string): Promise<PluginInstanceMap[K]>;
}
