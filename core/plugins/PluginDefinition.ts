import type { ContainerModule, ServiceIdentifier } from 'inversify';
import type { z } from 'zod';
import type { Logger } from '../contracts/Logger.js';
import type { RunContext } from '../contracts/RunContext.js';
import type { PluginCreator } from './PluginCreator.js';
import type { PluginInstanceMap, PluginKind } from './PluginKind.js';

/** What a plugin's factory receives besides its own configuration. */
export interface PluginDeps {
  readonly run: RunContext;
  readonly logger: Logger;
  /** Creates nested plugins declared inside this plugin's config (e.g. an environment's sandbox). */
  readonly plugins: PluginCreator;
  /** Config path of this plugin in the pipeline file, for error messages (e.g. `environment.sandbox`). */
  readonly path: string;
  /** Instance id: the policy name for policies, otherwise the plugin name. */
  readonly id: string;
}

/** Where the container module binds the instance. */
export interface PluginBinding<I> {
  readonly token: ServiceIdentifier<I>;
  /** Named binding (policies are bound once per policy name). */
  readonly name?: string;
  readonly path: string;
  readonly id: string;
}

export interface PluginCapabilities {
  /** Policy plugins: whether a local trainer can update it. */
  readonly trainable?: boolean;
  /** Why the policy is not trainable (shown in validation errors). */
  readonly notTrainableReason?: string;
  /** Trainer plugins: whether every trained agent must use a trainable policy. */
  readonly requiresTrainablePolicy?: boolean;
  /**
   * Policy plugins: a trainer outside this process can replace its weights (see ExternallyTrainablePolicy); `requires`
   * lists config fields that must then be set (to `equals`, when given), with why (shown by validation).
   */
  readonly externallyTrainable?: { readonly requires?: readonly { readonly field: string; readonly why: string; readonly equals?: unknown }[] };
  /** Trainer plugins: every trained agent must use an externally trainable policy (the `external` trainer). */
  readonly requiresExternallyTrainablePolicy?: boolean;
  /**
   * Tool plugins: the tool names a configured instance provides, for clash checks before the run; `undefined` when
   * they are only known at run time (MCP servers).
   */
  readonly toolNames?: (config: any) => readonly string[] | undefined;
  /**
   * Environment plugins: tool names the environment runs itself (e.g. `python` for fenced code blocks). A bare name in
   * `agents[i].tools` that the environment runs stays an environment tool; write `{ use: python }` for the function tool.
   */
  readonly environmentTools?: (config: any) => readonly string[];
}

export interface PluginDefinition<K extends PluginKind = PluginKind, C = any> {
  readonly kind: K;
  readonly name: string;
  readonly description: string;
  /** Zod schema of the plugin's config (everything next to `use:` in the pipeline file). */
  readonly configSchema: z.ZodType<C>;
  readonly capabilities?: PluginCapabilities;
  /** Inversify module that binds a configured instance to `binding.token`. */
  containerModule(config: C, binding: PluginBinding<PluginInstanceMap[K]>): ContainerModule;
  /** Plain factory for users who do not use DI. */
  create(config: C, deps: PluginDeps): Promise<PluginInstanceMap[K]>;
  /** Where the definition came from (`builtin`, a file path or a package name); set by the registry. */
  readonly source?: string;
}

export type AnyPluginDefinition = PluginDefinition<PluginKind, any>;
