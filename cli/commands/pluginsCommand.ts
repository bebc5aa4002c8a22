import type { Command } from 'commander';
import { z } from 'zod';
import { PLUGIN_KINDS, type PluginKind } from '../../core/plugins/PluginKind.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { loadPluginModule } from '../../core/plugins/loadPluginModule.js';

interface FieldInfo {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
}

function describeType(s: Record<string, unknown>): string {
  if (s['enum']) return (s['enum'] as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  if (s['const'] !== undefined) return JSON.stringify(s['const']);
  if (s['anyOf']) return (s['anyOf'] as Array<Record<string, unknown>>).map(describeType).join(' | ');
  if (s['type'] === 'array') return `${describeType((s['items'] as Record<string, unknown>) ?? {})}[]`;
  if (s['properties'] && (s['properties'] as Record<string, unknown>)['use']) return 'plugin';
  return String(s['type'] ?? 'any');
}

export function configFields(schema: z.ZodType): FieldInfo[] {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return [];
  }
  const props = (json['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((json['required'] as string[]) ?? []);
  return Object.entries(props).map(([name, p]) => ({
    name,
    type: describeType(p),
    required: required.has(name),
    ...(p['default'] !== undefined ? { default: p['default'] } : {}),
    ...(typeof p['description'] === 'string' ? { description: p['description'] } : {}),
  }));
}

export function registerPluginsCommand(program: Command): void {
  program
    .command('plugins')
    .description('list every plugin with its config fields')
    .option('--kind <kind>', `only this kind (${PLUGIN_KINDS.join(', ')})`)
    .option('--load <spec...>', 'also load third-party plugins (file paths or package names)')
    .option('--json', 'print JSON')
    .action(async (opts: { kind?: PluginKind; load?: string[]; json?: boolean }) => {
      const registry = createBuiltinRegistry();
      for (const spec of opts.load ?? []) registry.registerAll(await loadPluginModule(spec, process.cwd()), spec);
      if (opts.kind && !PLUGIN_KINDS.includes(opts.kind)) throw new Error(`unknown kind "${opts.kind}" (kinds: ${PLUGIN_KINDS.join(', ')})`);
      const defs = registry.list(opts.kind);
      const rows = defs.map((d) => ({
        kind: d.kind,
        name: d.name,
        description: d.description,
        source: d.source,
        ...(d.capabilities ? { capabilities: d.capabilities } : {}),
        fields: configFields(d.configSchema),
      }));
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      let kind = '';
      for (const r of rows) {
        if (r.kind !== kind) {
          kind = r.kind;
          process.stdout.write(`\n${kind.toUpperCase()} PLUGINS\n`);
        }
        const trainable = r.kind === 'policy' ? (r.capabilities?.trainable ? ' [trainable]' : ' [inference only]') : '';
        process.stdout.write(`  ${r.name}${trainable}${r.source && r.source !== 'builtin' ? ` (from ${r.source})` : ''}\n    ${r.description}\n`);
        for (const f of r.fields) {
          const def = f.default !== undefined ? ` = ${JSON.stringify(f.default)}` : f.required ? ' (required)' : '';
          process.stdout.write(`      ${f.name}: ${f.type}${def}${f.description ? ` — ${f.description}` : ''}\n`);
        }
      }
    });
}
