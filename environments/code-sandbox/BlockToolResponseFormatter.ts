import { Liquid, type Template } from 'liquidjs';
import { MappaError } from '../../core/util/MappaError.js';
import { truncateMiddle } from '../../core/util/truncate.js';
import type { CodeBlockRun } from './runCodeBlock.js';

/** The paper's format: stdout (plus `[stderr]: …`), or `[Execution <status>]` with both streams on failure. */
export const DEFAULT_BLOCK_TEMPLATE =
  '{% if ok %}{{ stdout }}{% if stderr != "" %}\n[stderr]: {{ stderr }}{% endif %}' +
  '{% else %}[Execution {{ status }}]\n[stdout]: {{ stdout }}\n[stderr/error]: {{ stderr }}{% endif %}';
export const DEFAULT_RESPONSE_TEMPLATE = '<tool_response>\n{{ output }}\n</tool_response>';
export const DEFAULT_SEPARATOR = '\n------\n';

export interface ToolResponseFormat {
  /**
   * Liquid template for one block; variables: `ok`, `status`, `stdout`, `stderr` (the sandbox's message on a
   * `SandboxError`), `exitCode`, `code`, `index`, `message` (the sandbox's message).
   */
  readonly blockTemplate?: string;
  /** Liquid template for the whole message; variables: `output` (blocks joined), `blocks` (formatted, one per block), and the extra variables given to `format`. */
  readonly responseTemplate?: string;
  readonly separator?: string;
  /** Characters kept of stdout (head and tail, with a visible marker); also of stderr unless `maxStderrChars` is set. */
  readonly maxOutputChars?: number;
  readonly maxStderrChars?: number;
  /** Trim trailing whitespace of the streams before cutting them (default true; false leaves it to the template). */
  readonly trimOutput?: boolean;
}

export interface FormattedToolResponse {
  /** The user turn appended to the agent's context. */
  readonly message: string;
  /** Each block formatted by the block template. */
  readonly blocks: string[];
  /** The blocks joined by the separator (the message without its wrapper). */
  readonly output: string;
}

/**
 * Formats code runs block by block into the tool-response turn (the MAPPA reference's `<tool_response>` layout by
 * default), with Liquid templates so pipelines can change the wording. MathChat and DSBench use it.
 */
export class BlockToolResponseFormatter {
  readonly #liquid = new Liquid({ strictVariables: true, strictFilters: true });
  readonly #block: Template[];
  readonly #response: Template[];
  readonly #separator: string;
  readonly #maxChars: number;
  readonly #maxStderrChars: number;
  readonly #trim: boolean;

  constructor(format: ToolResponseFormat = {}, path = 'environment') {
    const parse = (src: string, field: string) => {
      try {
        return this.#liquid.parse(src);
      } catch (err) {
        throw new MappaError(`${path}.${field}: template does not parse: ${(err as Error).message}`, { hint: 'check the Liquid syntax ({{ var }}, {% if %}…{% endif %})' });
      }
    };
    this.#block = parse(format.blockTemplate ?? DEFAULT_BLOCK_TEMPLATE, 'blockTemplate');
    this.#response = parse(format.responseTemplate ?? DEFAULT_RESPONSE_TEMPLATE, 'responseTemplate');
    this.#separator = format.separator ?? DEFAULT_SEPARATOR;
    this.#maxChars = format.maxOutputChars ?? 2000;
    this.#maxStderrChars = format.maxStderrChars ?? this.#maxChars;
    this.#trim = format.trimOutput ?? true;
  }

  #cut(text: string, limit: number): string {
    return truncateMiddle(this.#trim ? text.trimEnd() : text, limit);
  }

  format(runs: readonly CodeBlockRun[], vars: Readonly<Record<string, unknown>> = {}): FormattedToolResponse {
    const blocks = runs.map((r, index) =>
      this.#liquid.renderSync(this.#block, {
        ok: r.ok,
        status: r.runStatus,
        stdout: this.#cut(r.stdout, this.#maxChars),
        // The paper's format reports a sandbox failure in the error slot.
        stderr: this.#cut(r.runStatus === 'SandboxError' ? r.message : r.stderr, this.#maxStderrChars),
        exitCode: r.exitCode ?? null,
        code: r.code,
        index,
        message: r.message,
      }) as string,
    );
    const output = blocks.join(this.#separator);
    const message = this.#liquid.renderSync(this.#response, { ...vars, output, blocks }) as string;
    return { message, blocks, output };
  }
}
