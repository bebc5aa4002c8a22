import { z } from 'zod';
import type { PluginKind } from '../plugins/PluginKind.js';
import type { PluginRegistry } from '../plugins/PluginRegistry.js';
import { PipelineSpecSchema } from './PipelineSpec.js';

type Json = Record<string, unknown>;

function pluginConfigSchema(schema: z.ZodType): Json {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  } catch {
    return { type: 'object' };
  }
}

/** JSON Schema for one plugin kind: `use` selects the plugin, and its own config fields are completed. */
function kindSchema(registry: PluginRegistry, kind: PluginKind): Json {
  const variants = registry.list(kind).map((def) => {
    const s = pluginConfigSchema(def.configSchema);
    const { $schema: _ignored, ...rest } = s;
    const properties = { use: { const: def.name, description: def.description }, ...((rest['properties'] as Json) ?? {}) };
    return { ...rest, type: 'object', properties, required: ['use', ...((rest['required'] as string[]) ?? [])] };
  });
  return variants.length ? { anyOf: variants } : { type: 'object', properties: { use: { type: 'string' } }, required: ['use'] };
}

/**
 * JSON Schema of a pipeline file with every registered plugin's config, so editors (VS Code YAML, JetBrains)
 * complete plugin names and their fields. Reference it with `$schema:` or a `# yaml-language-server: $schema=` comment.
 */
export function pipelineJsonSchema(registry: PluginRegistry): Json {
  const base = z.toJSONSchema(PipelineSpecSchema, { io: 'input', unrepresentable: 'any' }) as Json;
  const props = { ...(base['properties'] as Json) };
  props['tasks'] = kindSchema(registry, 'tasks');
  props['environment'] = kindSchema(registry, 'environment');
  props['coach'] = kindSchema(registry, 'coach');
  props['trainer'] = kindSchema(registry, 'trainer');
  props['policies'] = { type: 'object', additionalProperties: kindSchema(registry, 'policy') };
  const warm = structuredClone(props['warmStart']) as Json | undefined;
  if (warm && typeof warm === 'object') {
    const target = (warm['anyOf'] as Json[] | undefined)?.find((x) => x['type'] === 'object') ?? warm;
    target['properties'] = {
      ...((target['properties'] as Json) ?? {}),
      demonstrations: kindSchema(registry, 'demonstrations'),
      trainer: kindSchema(registry, 'trainer'),
    };
    props['warmStart'] = warm;
  }
  const agents = structuredClone(props['agents']) as Json;
  const item = agents['items'] as Json;
  const itemProps = { ...(item['properties'] as Json) };
  itemProps['policy'] = { anyOf: [{ type: 'string', description: 'name of a policy under `policies`' }, kindSchema(registry, 'policy')] };
  itemProps['tools'] = {
    type: 'array',
    default: [],
    items: { anyOf: [{ type: 'string', description: 'an environment tool (e.g. python code blocks) or a tool plugin name' }, kindSchema(registry, 'tool')] },
  };
  agents['items'] = { ...item, properties: itemProps };
  props['agents'] = agents;
  return { ...base, $id: 'https://mappa.dev/schema/pipeline.schema.json', title: 'mappa pipeline', properties: props };
}
