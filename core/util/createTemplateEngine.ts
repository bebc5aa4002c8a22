import { readFile } from 'node:fs/promises';
import { Liquid } from 'liquidjs';
import { MappaError } from './MappaError.js';

/**
 * Prompt templates are Liquid files (https://liquidjs.com): `{{ task.prompt }}`, `{% if files %}…{% endif %}`.
 * Variables are strict, so a misspelt variable is an error that names the template instead of an empty string.
 * Optional variables are guarded with `{% if x %}` or `{{ x | default: "…" }}` (`lenientIf`), which strict mode
 * would otherwise reject when `x` is absent.
 */
export class TemplateEngine {
  readonly #liquid = new Liquid({ strictVariables: true, lenientIf: true, strictFilters: true, greedy: false });
  readonly #cache = new Map<string, ReturnType<Liquid['parse']>>();

  async renderFile(file: string, vars: Record<string, unknown>): Promise<string> {
    let parsed = this.#cache.get(file);
    if (!parsed) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new MappaError(`cannot read template ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      try {
        parsed = this.#liquid.parse(text, file);
      } catch (err) {
        throw new MappaError(`template ${file} does not parse: ${(err as Error).message}`);
      }
      this.#cache.set(file, parsed);
    }
    try {
      return await this.#liquid.render(parsed, vars);
    } catch (err) {
      throw new MappaError(`template ${file}: ${(err as Error).message}`, {
        hint: `available variables: ${Object.keys(vars).join(', ')}`,
      });
    }
  }

  async renderString(source: string, vars: Record<string, unknown>, name = 'inline template'): Promise<string> {
    try {
      return await this.#liquid.parseAndRender(source, vars);
    } catch (err) {
      throw new MappaError(`${name}: ${(err as Error).message}`, { hint: `available variables: ${Object.keys(vars).join(', ')}` });
    }
  }
}
