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
      mod = await guardedImport(file, async () => {
        if (/\.(c|m)?tsx?$/.test(file)) {
          const { tsImport } = await import('tsx/esm/api');
          return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
        }
        return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      });
    } catch (err) {
      if (err instanceof MappaError) throw err;
      throw new MappaError(`could not load plugin file ${file}: ${(err as Error).message}`, { cause: err });
    }
  } else {
    try {
      const resolved = createRequire(resolve(baseDir, 'package.json')).resolve(spec);
      mod = await guardedImport(spec, async () => (await import(pathToFileURL(resolved).href)) as Record<string, unknown>);
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
