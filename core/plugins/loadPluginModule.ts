import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MappaError } from '../util/MappaError.js';
import type { AnyPluginDefinition } from './PluginDefinition.js';
import { PLUGIN_KINDS } from './PluginKind.js';

function isPluginDefinition(value: unknown): value is AnyPluginDefinition {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['name'] === 'string' &&
    typeof v['kind'] === 'string' &&
    (PLUGIN_KINDS as readonly string[]).includes(v['kind']) &&
    typeof v['create'] === 'function' &&
    typeof v['containerModule'] === 'function' &&
    typeof v['configSchema'] === 'object'
  );
}

/** Collects plugin definitions from a module's exports: the default export, a `plugins` array, or any exported definition. */
export function pluginsFromModule(mod: Record<string, unknown>): AnyPluginDefinition[] {
  const found = new Set<AnyPluginDefinition>();
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isPluginDefinition(v)) found.add(v);
  };
  for (const value of Object.values(mod)) visit(value);
  return [...found];
}

/**
 * Loads plugins from a local file (`./my-plugin.ts`, `.js`, `.mjs`; TypeScript is compiled on the fly) or from an
 * installed package name, resolved from `baseDir`.
 */
export async function loadPluginModule(spec: string, baseDir: string): Promise<AnyPluginDefinition[]> {
  const isPath = spec.startsWith('.') || isAbsolute(spec);
  let mod: Record<string, unknown>;
  if (isPath) {
    const file = resolve(baseDir, spec);
    if (!existsSync(file)) {
      throw new MappaError(`plugin file not found: ${file}`, { hint: 'paths in `plugins:` are relative to the pipeline file' });
    }
    try {
      if (/\.(c|m)?tsx?$/.test(file)) {
        const { tsImport } = await import('tsx/esm/api');
        mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
      } else {
        mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      }
    } catch (err) {
      throw new MappaError(`could not load plugin file ${file}: ${(err as Error).message}`, { cause: err });
    }
  } else {
    try {
      const resolved = createRequire(resolve(baseDir, 'package.json')).resolve(spec);
      mod = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
    } catch {
      try {
        mod = (await import(spec)) as Record<string, unknown>;
      } catch (err) {
        throw new MappaError(`could not load plugin package "${spec}": ${(err as Error).message}`, {
          hint: `install it (npm install ${spec}) or give a file path starting with ./`,
          cause: err,
        });
      }
    }
  }
  const defs = pluginsFromModule(mod);
  if (defs.length === 0) {
    throw new MappaError(`"${spec}" exports no plugin definitions`, {
      hint: 'export the result of definePlugin(...) (default export, a `plugins` array, or named exports)',
    });
  }
  return defs;
}
