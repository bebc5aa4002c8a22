import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { MappaError } from '../../core/util/MappaError.js';
import { packageRoot } from '../../core/util/packageRoot.js';

const BUILTIN = 'builtin:';

/** Folder of the built-in coach templates (shipped with the package). */
export function builtinTemplateDir(): string {
  return join(packageRoot(), 'coaches', 'templates');
}

/** Names usable as `template: builtin:<name>`. */
export function builtinTemplateNames(): string[] {
  return readdirSync(builtinTemplateDir())
    .filter((f) => f.endsWith('.liquid'))
    .map((f) => f.slice(0, -'.liquid'.length))
    .sort();
}

/**
 * Turns a `template:` setting into a file path: `builtin:<name>` is a template shipped with mappa, anything else a
 * Liquid file relative to the pipeline file.
 */
export function resolveCoachTemplate(template: string, baseDir: string, path: string): string {
  if (template.startsWith(BUILTIN)) {
    const name = template.slice(BUILTIN.length);
    const file = join(builtinTemplateDir(), `${name}.liquid`);
    if (!existsSync(file)) {
      throw new MappaError(`${path}.template: no built-in coach template "${name}"`, {
        hint: `built-in templates: ${builtinTemplateNames().map((n) => BUILTIN + n).join(', ')}; or give a path to your own .liquid file`,
      });
    }
    return file;
  }
  const file = isAbsolute(template) ? template : resolve(baseDir, template);
  if (!existsSync(file)) {
    throw new MappaError(`${path}.template: file not found: ${file}`, {
      hint: `copy a built-in template from ${builtinTemplateDir()} and point ${path}.template at it (relative to the pipeline file)`,
    });
  }
  return file;
}
