import { readFile } from 'node:fs/promises';
import { Liquid } from 'liquidjs';
import { MappaError } from './MappaError.js';

/** Bounds on one render: templates (and the data they loop over) may come from users or agents. */
export interface TemplateLimits {
  /** Characters a render may produce (default 2,000,000). */
  readonly maxOutputChars?: number;
  /** Milliseconds one render may take (LiquidJS `renderLimit`; default 10,000). */
  readonly renderLimitMs?: number;
  /** Allocation budget of one render (LiquidJS `memoryLimit`, roughly bytes/array items; default 50,000,000). */
  readonly memoryLimit?: number;
  /** Tags and outputs one render may execute (LiquidJS `templateLimit`; default 2,000,000). */
  readonly templateLimit?: number;
}

const HINT_LIMITS = 'loops and output of a template are bounded (a loop over a huge range, or an ever-growing output, is stopped); check the loop bounds';

/**
 * Prompt templates are Liquid files (https://liquidjs.com): `{{ task.prompt }}`, `{% if files %}…{% endif %}`.
 * Variables are strict, so a misspelt variable is an error that names the template instead of an empty string.
 * Optional variables are guarded with `{% if x %}` or `{{ x | default: "…" }}` (`lenientIf`), which strict mode
 * would otherwise reject when `x` is absent. Every render is bounded in time, allocations, executed tags and output
 * size, so a template can fail but never hang or exhaust the process.
 */
export class TemplateEngine {
  readonly #liquid: Liquid;
  readonly #maxOutput: number;
  readonly #cache = new Map<string, ReturnType<Liquid['parse']>>();

  constructor(limits: TemplateLimits = {}) {
    this.#maxOutput = limits.maxOutputChars ?? 2_000_000;
    this.#liquid = new Liquid({
      strictVariables: true,
      lenientIf: true,
      strictFilters: true,
      greedy: false,
      renderLimit: limits.renderLimitMs ?? 10_000,
      memoryLimit: limits.memoryLimit ?? 50_000_000,
      parseLimit: 10_000_000,
    });
    this.#templateLimit = limits.templateLimit ?? 2_000_000;
  }

  readonly #templateLimit: number;

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
    let out: string;
    try {
      out = await this.#liquid.render(parsed, vars, { templateLimit: this.#templateLimit });
    } catch (err) {
      throw renderError(`template ${file}`, err, vars);
    }
    return this.#checkSize(`template ${file}`, out);
  }

  async renderString(source: string, vars: Record<string, unknown>, name = 'inline template'): Promise<string> {
    let out: string;
    try {
      out = await this.#liquid.parseAndRender(source, vars, { templateLimit: this.#templateLimit });
    } catch (err) {
      throw renderError(name, err, vars);
    }
    return this.#checkSize(name, out);
  }

  #checkSize(name: string, out: string): string {
    if (out.length > this.#maxOutput) {
      throw new MappaError(`${name}: the output exceeds the limit of ${this.#maxOutput} characters (got ${out.length})`, { hint: HINT_LIMITS });
    }
    return out;
  }
}

function renderError(name: string, err: unknown, vars: Record<string, unknown>): MappaError {
  const message = (err as Error)?.message ?? String(err);
  // LiquidJS reports its DoS limits as "... limit exceeded"; RangeErrors are strings or arrays too large to build.
  const limited = /limit exceeded/i.test(message) || err instanceof RangeError;
  return new MappaError(`${name}: ${limited && !/limit/i.test(message) ? `render limit exceeded (${message})` : message}`, {
    hint: limited ? HINT_LIMITS : `available variables: ${Object.keys(vars).join(', ')}`,
  });
}
