import { closest, distance } from 'fastest-levenshtein';
import type { AnyPluginDefinition, PluginDefinition } from './PluginDefinition.js';
import { PLUGIN_KINDS, type PluginKind } from './PluginKind.js';

/** Plugins by kind and name. Built-ins are registered at start-up; third-party ones when a pipeline names them. */
export class PluginRegistry {
  readonly #byKind = new Map<PluginKind, Map<string, AnyPluginDefinition>>(PLUGIN_KINDS.map((k) => [k, new Map()]));

  register(definition: AnyPluginDefinition, source = 'builtin'): void {
    if (!PLUGIN_KINDS.includes(definition.kind)) {
      throw new Error(`Plugin "${definition.name}" from ${source} has unknown kind "${String(definition.kind)}" (kinds: ${PLUGIN_KINDS.join(', ')})`);
    }
    const kind = this.#byKind.get(definition.kind)!;
    const existing = kind.get(definition.name);
    if (existing && existing.source !== source) {
      throw new Error(`Two ${definition.kind} plugins are named "${definition.name}" (${existing.source} and ${source}); rename one`);
    }
    kind.set(definition.name, { ...definition, source });
  }

  registerAll(definitions: readonly AnyPluginDefinition[], source = 'builtin'): void {
    for (const d of definitions) this.register(d, source);
  }

  get<K extends PluginKind>(kind: K, name: string): PluginDefinition<K> | undefined {
    return this.#byKind.get(kind)?.get(name) as PluginDefinition<K> | undefined;
  }

  list(kind?: PluginKind): AnyPluginDefinition[] {
    const kinds = kind ? [kind] : PLUGIN_KINDS;
    return kinds.flatMap((k) => [...this.#byKind.get(k)!.values()].sort((a, b) => a.name.localeCompare(b.name)));
  }

  /** The closest registered name of this kind, if it is close enough to be a typo. */
  suggest(kind: PluginKind, name: string): string | undefined {
    const names = [...this.#byKind.get(kind)!.keys()];
    if (names.length === 0) return undefined;
    const best = closest(name, names);
    return distance(name, best) <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
  }

  /** Which other kinds have a plugin of this name (for "is a coach, not an environment" hints). */
  kindsOf(name: string): PluginKind[] {
    return PLUGIN_KINDS.filter((k) => this.#byKind.get(k)!.has(name));
  }
}
