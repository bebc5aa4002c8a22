import { z } from 'zod';
import type { PluginKind } from './PluginKind.js';

/** A reference to a plugin in a pipeline file: `{ use: <name>, ...config }`. */
export interface PluginRef {
  readonly use: string;
  readonly [key: string]: unknown;
}

const REF_KIND = new WeakMap<object, PluginKind>();

/**
 * Schema of a nested plugin reference inside a plugin's config, e.g. an environment's `sandbox` field.
 * `validatePluginRef` finds these fields and validates the nested plugin's own config too.
 */
export function pluginRef(kind: PluginKind) {
  const schema = z.looseObject({ use: z.string().min(1) }).describe(`${kind} plugin: { use: <name>, ...config }`);
  REF_KIND.set(schema, kind);
  return schema;
}

/** The plugin kind of a `pluginRef` schema (looking through optional/default/nullable wrappers). */
export function pluginRefKind(schema: unknown): PluginKind | undefined {
  let s = schema as { _zod?: { def?: { type?: string; innerType?: unknown } } } | undefined;
  for (let i = 0; i < 8 && s; i++) {
    const kind = REF_KIND.get(s as object);
    if (kind) return kind;
    const def = s._zod?.def;
    if (def && (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault')) {
      s = def.innerType as typeof s;
    } else break;
  }
  return undefined;
}

/** Nested plugin-reference fields of an object schema: field → kind and whether it holds an array of refs. */
export function nestedPluginFields(schema: unknown): Array<{ field: string; kind: PluginKind; array: boolean }> {
  const out: Array<{ field: string; kind: PluginKind; array: boolean }> = [];
  let s = schema as { _zod?: { def?: { type?: string; innerType?: unknown; shape?: Record<string, unknown> } } } | undefined;
  for (let i = 0; i < 8 && s?._zod?.def && s._zod.def.type !== 'object'; i++) s = s._zod.def.innerType as typeof s;
  const shape = s?._zod?.def?.shape;
  if (!shape) return out;
  for (const [field, fieldSchema] of Object.entries(shape)) {
    const kind = pluginRefKind(fieldSchema);
    if (kind) {
      out.push({ field, kind, array: false });
      continue;
    }
    let inner = fieldSchema as { _zod?: { def?: { type?: string; innerType?: unknown; element?: unknown } } } | undefined;
    for (let j = 0; j < 8 && inner?._zod?.def && inner._zod.def.type !== 'array'; j++) {
      const t = inner._zod.def.type;
      if (t !== 'optional' && t !== 'default' && t !== 'nullable' && t !== 'prefault') break;
      inner = inner._zod.def.innerType as typeof inner;
    }
    if (inner?._zod?.def?.type === 'array') {
      const elemKind = pluginRefKind(inner._zod.def.element);
      if (elemKind) out.push({ field, kind: elemKind, array: true });
    }
  }
  return out;
}
