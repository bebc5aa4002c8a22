import { Liquid, type Template } from 'liquidjs';
import { MappaError } from '../../core/util/MappaError.js';
import { truncateMiddle } from '../../core/util/truncate.js';
import type { CodeBlockRun } from './runCodeBlocks.js';

/** The paper's format: stdout (plus `[stderr]: …`), or `[Execution <status>]` with both streams on failure. */
export const DEFAULT_BLOCK_TEMPLATE =
  '{% if ok %}{{ stdout }}{% if stderr != "" %}\n[stderr]: {{ stderr }}{% endif %}' +
  '{% else %}[Execution {{ status }}]\n[stdout]: {{ stdout }}\n[stderr/error]: {{ stderr }}{% endif %}';
export const DEFAULT_RESPONSE_TEMPLATE = '<tool_response>\n{{ output }}\n</tool_response>';
export const DEFAULT_SEPARATOR = '\n------\n';

export interface ToolResponseFormat {
  /** Liquid template for one block; variables: `ok`, `status`, `stdout`, `stderr`, `exitCode`, `code`, `index`. */
  readonly blockTemplate?: string;
  /** Liquid template for the whole message; variables: `output` (blocks joined), `blocks` (formatted, one per block). */
  readonly responseTemplate?: string;
  readonly separator?: string;
  /** Characters kept of each stream (head and tail, with a visible marker). */
  readonly maxOutputChars?: number;
}

export interface FormattedToolResponse {
  /** The user turn appended to the agent's context. */
  readonly message: string;
  /** Each block formatted by the block template. */
  readonly blocks: string[];
  /** The blocks joined by the separator (the message without its wrapper). */
  readonly output: string;
}

/** Formats code runs into the tool-response turn, with Liquid templates so pipelines can change the wording. */
export class ToolResponseFormatter {
  readonly #liquid = new Liquid({ strictVariables: true, strictFilters: true });
  readonly #block: Template[];
  readonly #response: Template[];
  readonly #separator: string;
  readonly #maxChars: number;

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
  }

  format(runs: readonly CodeBlockRun[]): FormattedToolResponse {
    const blocks = runs.map((r, index) =>
      this.#liquid.renderSync(this.#block, {
        ok: r.ok,
        status: r.runStatus,
        stdout: truncateMiddle(r.stdout.trimEnd(), this.#maxChars),
        stderr: truncateMiddle(r.stderr.trimEnd(), this.#maxChars),
        exitCode: r.exitCode ?? null,
        code: r.code,
        index,
      }) as string,
    );
    const output = blocks.join(this.#separator);
    const message = this.#liquid.renderSync(this.#response, { output, blocks }) as string;
    return { message, blocks, output };
  }
}
