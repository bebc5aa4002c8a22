import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MappaError } from '../util/MappaError.js';
import type { AnyPluginDefinition } from './PluginDefinition.js';
import { PLUGIN_KINDS } from './PluginKind.js';

/** Has the shape of a plugin definition, whatever its kind. */
function looksLikePlugin(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v['name'] === 'string' && typeof v['kind'] === 'string' && typeof v['create'] === 'function' && typeof v['configSchema'] === 'object';
}

function isPluginDefinition(value: unknown): value is AnyPluginDefinition {
  return looksLikePlugin(value) && (PLUGIN_KINDS as readonly string[]).includes(value['kind'] as string) && typeof value['containerModule'] === 'function';
}

/**
 * Collects plugin definitions from a module's exports: the default export, a `plugins` array, or any exported
 * definition. A CommonJS module (a `.ts` plugin in a package without `"type": "module"`) arrives as its
 * `module.exports` object under `default`, so that object's values are searched too.
 * An export that looks like a plugin but names an unknown kind (e.g. `kind: 'coaches'`) is an error, not skipped.
 */
export function pluginsFromModule(mod: Record<string, unknown>): AnyPluginDefinition[] {
  const found = new Set<AnyPluginDefinition>();
  const unknownKinds: string[] = [];
  const visit = (v: unknown, depth: number) => {
    if (Array.isArray(v)) v.forEach((x) => visit(x, depth));
    else if (isPluginDefinition(v)) found.add(v);
    else if (looksLikePlugin(v)) unknownKinds.push(`"${String(v['name'])}" has kind "${String(v['kind'])}"`);
    else if (depth === 0 && v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const inner of Object.values(v)) visit(inner, 1);
    }
  };
  for (const [key, value] of Object.entries(mod)) visit(value, key === 'default' ? 0 : 1);
  if (unknownKinds.length > 0) {
    throw new MappaError(`unknown plugin kind: ${[...new Set(unknownKinds)].join('; ')}`, { hint: `kind must be one of: ${PLUGIN_KINDS.join(', ')}` });
  }
  return [...found];
}

/** Imports a module file; TypeScript (also a package whose entry is a `.ts` file) is compiled on the fly by tsx. */
async function importFile(file: string): Promise<Record<string, unknown>> {
  if (/\.(c|m)?tsx?$/.test(file)) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

/**
 * Imports a plugin module so that it cannot end the process or hang it unnoticed: `process.exit` during the import
 * throws instead (a plugin that exits would make `mappa validate` succeed silently), and an import that has not
 * settled after MAPPA_PLUGIN_LOAD_TIMEOUT_MS (default 60 s; e.g. a top-level await that never settles, after which
 * Node would exit with code 13) is an error naming the plugin.
 */
async function guardedImport(name: string, load: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const realExit = process.exit;
  let exitCalled: unknown;
  process.exit = ((code?: number | string | null) => {
    exitCalled = code ?? 0;
    throw new MappaError(`plugin ${name} called process.exit(${String(code ?? '')}) while loading`, {
      hint: 'a plugin module must not end the process; throw an error instead',
    });
  }) as typeof process.exit;
  const fromEnv = Number(process.env['MAPPA_PLUGIN_LOAD_TIMEOUT_MS']);
  const timeoutMs = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      // Not unref'd: it also keeps Node from exiting (code 13) while the import is stuck.
      timer = setTimeout(
        () =>
          reject(
            new MappaError(`plugin ${name} did not finish loading within ${timeoutMs} ms (a top-level await that never settles?)`, {
              hint: 'check the top-level code of the plugin module',
            }),
          ),
        timeoutMs,
      );
    });
    return await Promise.race([load(), timeout]);
  } catch (err) {
    if (exitCalled !== undefined && !(err instanceof MappaError)) {
      throw new MappaError(`plugin ${name} called process.exit(${String(exitCalled)}) while loading`, { hint: 'a plugin module must not end the process; throw an error instead' });
    }
    throw err;
  } finally {
    clearTimeout(timer);
    process.exit = realExit;
  }
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
      mod = await guardedImport(file, () => importFile(file));
    } catch (err) {
      if (err instanceof MappaError) throw err;
      throw new MappaError(`could not load plugin file ${file}: ${(err as Error).message}`, { cause: err });
    }
  } else {
    let resolved: string | undefined;
    try {
      resolved = createRequire(resolve(baseDir, 'package.json')).resolve(spec);
    } catch {
      // Not resolvable from the pipeline's folder; a plain import below may still find it (e.g. a global path).
    }
    try {
      const target = resolved;
      mod = await guardedImport(spec, () => (target ? importFile(target) : (import(spec) as Promise<Record<string, unknown>>)));
    } catch (err) {
      if (err instanceof MappaError) throw err;
      throw new MappaError(`could not load plugin package "${spec}"${resolved ? ` (${resolved})` : ''}: ${(err as Error).message}`, {
        ...(resolved ? {} : { hint: `install it (npm install ${spec}) or give a file path starting with ./` }),
        cause: err,
      });
    }
  }
  let defs: AnyPluginDefinition[];
  try {
    defs = pluginsFromModule(mod);
  } catch (err) {
    const e = err as MappaError;
    throw new MappaError(`${spec}: ${e.message}`, { ...(e.hint ? { hint: e.hint } : {}) });
  }
  if (defs.length === 0) {
    throw new MappaError(`"${spec}" exports no plugin definitions`, {
      hint: 'export the result of definePlugin(...) (default export, a `plugins` array, or named exports)',
    });
  }
  return defs;
}
