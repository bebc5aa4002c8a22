import { zodIssues } from '../util/zodIssues.js';
import type { ValidationIssue } from '../util/ValidationIssue.js';
import { nestedPluginFields, type PluginRef } from './pluginRef.js';
import type { PluginKind } from './PluginKind.js';
import type { PluginRegistry } from './PluginRegistry.js';

/** Validates one plugin reference (and its nested references) against the registry. */
export function validatePluginRef(
  registry: PluginRegistry,
  kind: PluginKind,
  ref: unknown,
  path: string,
  issues: ValidationIssue[],
): { definition: ReturnType<PluginRegistry['get']>; config: unknown } | undefined {
  if (ref === null || typeof ref !== 'object' || typeof (ref as PluginRef).use !== 'string') return undefined;
  const { use, ...config } = ref as PluginRef;
  const definition = registry.get(kind, use);
  if (!definition) {
    const guess = registry.suggest(kind, use);
    const otherKinds = registry.kindsOf(use);
    const names = registry.list(kind).map((d) => d.name);
    issues.push({
      path: `${path}.use`,
      message: `unknown ${kind} plugin "${use}"`,
      hint: guess
        ? `did you mean "${guess}"?`
        : otherKinds.length
          ? `"${use}" is a ${otherKinds.join('/')} plugin, not a ${kind} plugin`
          : names.length
            ? `available: ${names.join(', ')}`
            : `no ${kind} plugins are registered; add one under \`plugins:\``,
    });
    return undefined;
  }
  const parsed = definition.configSchema.safeParse(config, { reportInput: true });
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error, definition.configSchema, path));
    return { definition, config: undefined };
  }
  for (const nested of nestedPluginFields(definition.configSchema)) {
    const value = (parsed.data as Record<string, unknown>)[nested.field];
    if (value === undefined) continue;
    if (nested.array && Array.isArray(value)) {
      value.forEach((v, i) => validatePluginRef(registry, nested.kind, v, `${path}.${nested.field}[${i}]`, issues));
    } else validatePluginRef(registry, nested.kind, value, `${path}.${nested.field}`, issues);
  }
  return { definition, config: parsed.data };
}
