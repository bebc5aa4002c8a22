import { ContainerModule } from 'inversify';
import type { z } from 'zod';
import { MappaError } from '../util/MappaError.js';
import { contractHint, contractProblems } from './pluginContracts.js';
import type { PluginBinding, PluginCapabilities, PluginDefinition, PluginDeps } from './PluginDefinition.js';
import type { PluginInstanceMap, PluginKind } from './PluginKind.js';
import { PLUGIN_TOKENS } from './pluginTokens.js';

export interface DefinePluginOptions<K extends PluginKind, C> {
  readonly kind: K;
  readonly name: string;
  readonly description: string;
  readonly configSchema: z.ZodType<C>;
  readonly capabilities?: PluginCapabilities;
  readonly create: (config: C, deps: PluginDeps) => Promise<PluginInstanceMap[K]> | PluginInstanceMap[K];
  /** Custom module, for class-based plugins that want constructor injection. Defaults to a dynamic value calling `create`. */
  readonly containerModule?: (config: C, binding: PluginBinding<PluginInstanceMap[K]>) => ContainerModule;
}

/**
 * Declares a plugin. Unless a custom module is given, the container module binds a singleton dynamic value
 * that calls `create` with the run's logger, run context and plugin factory taken from the container.
 */
export function definePlugin<K extends PluginKind, C>(options: DefinePluginOptions<K, C>): PluginDefinition<K, C> {
  const create = async (config: C, deps: PluginDeps): Promise<PluginInstanceMap[K]> => {
    const instance = await options.create(config, deps);
    // A wrong return type would otherwise fail much later, deep inside the runner, without naming the plugin.
    const problems = contractProblems(options.kind, instance);
    if (problems.length > 0) {
      throw new MappaError(`${options.kind} plugin "${options.name}": create() returned an object that ${problems.join(', ')}`, {
        hint: contractHint(options.kind),
      });
    }
    return instance;
  };
  const containerModule =
    options.containerModule ??
    ((config: C, binding: PluginBinding<PluginInstanceMap[K]>) =>
      new ContainerModule(({ bind }) => {
        const bound = bind(binding.token)
          .toDynamicValue(async (ctx) =>
            create(config, {
              run: ctx.get(PLUGIN_TOKENS.RunContext),
              logger: ctx.get(PLUGIN_TOKENS.Logger),
              plugins: ctx.get(PLUGIN_TOKENS.PluginFactory),
              path: binding.path,
              id: binding.id,
            }),
          )
          .inSingletonScope();
        if (binding.name !== undefined) bound.whenNamed(binding.name);
      }));
  return {
    kind: options.kind,
    name: options.name,
    description: options.description,
    configSchema: options.configSchema,
    ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    containerModule,
    create,
  };
}
