import { Environment, Interpreter, Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import type { ToolSpec } from '../../../core/model/ToolSpec.js';
import { MappaError } from '../../../core/util/MappaError.js';

export interface TokenizerFiles {
  /** Parsed `tokenizer.json`. */
  readonly tokenizerJson: Record<string, unknown>;
  /** Parsed `tokenizer_config.json` (may be `{}`). */
  readonly tokenizerConfig: Record<string, unknown>;
  /** Jinja chat template (from `chat_template.jinja` or `tokenizer_config.json`). */
  readonly chatTemplate: string;
}

function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

/**
 * A Hugging Face tokenizer (`tokenizer.json`, through @huggingface/tokenizers) plus its chat template (through
 * @huggingface/jinja). Encoding never adds special tokens: the chat template places them.
 */
/** Items all `range()` calls of one chat-template render may produce together. */
const CHAT_RANGE_BUDGET = 100_000;
/** Characters a chat-template render may produce. */
const CHAT_MAX_OUTPUT = 4_000_000;

export class TextTokenizer {
  readonly #tok: Tokenizer;
  readonly #template: Template;
  /** One more than the largest token id (vocabulary plus added tokens). */
  readonly size: number;
  readonly specialIds: ReadonlySet<number>;
  readonly eosTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  readonly bosToken: string | undefined;
  readonly eosToken: string | undefined;

  constructor(
    readonly files: TokenizerFiles,
    /** For error messages (e.g. the checkpoint directory). */
    readonly source: string,
  ) {
    try {
      this.#tok = new Tokenizer(files.tokenizerJson, files.tokenizerConfig);
    } catch (err) {
      throw new MappaError(`${source}: tokenizer.json cannot be loaded (${(err as Error).message})`, { cause: err });
    }
    try {
      this.#template = new Template(files.chatTemplate);
    } catch (err) {
      throw new MappaError(`${source}: the chat template does not parse (${(err as Error).message})`, { cause: err });
    }
    const vocab = this.#tok.get_vocab(true);
    let max = -1;
    for (const id of vocab.values()) if (id > max) max = id;
    this.size = max + 1;
    this.specialIds = new Set([...this.#tok.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id));
    const cfg = files.tokenizerConfig;
    this.bosToken = tokenText(cfg['bos_token']);
    this.eosToken = tokenText(cfg['eos_token']);
    this.eosTokenId = this.eosToken === undefined ? undefined : this.#tok.token_to_id(this.eosToken);
    const pad = tokenText(cfg['pad_token']);
    this.padTokenId = pad === undefined ? undefined : this.#tok.token_to_id(pad);
  }

  encode(text: string): number[] {
    return this.#tok.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[], skipSpecialTokens = false): string {
    // The library rejects an empty list.
    return ids.length === 0 ? '' : this.#tok.decode([...ids], { skip_special_tokens: skipSpecialTokens });
  }

  tokenToId(token: string): number | undefined {
    return this.#tok.token_to_id(token);
  }

  /**
   * Renders the chat template like transformers' `apply_chat_template(..., tools=tools, tokenize=False)`. Tools are
   * passed as OpenAI function tools (the `tools` variable Qwen's templates read); without tools the variable is unset.
   * Assistant messages are rendered from their content only: a local policy's tool calls are part of its text.
   * A checkpoint's template is
   * untrusted code: `range()` shares a budget of items per render and the output is capped, so a template that would
   * loop a billion times fails with an error instead of taking the process down.
   */
  renderChat(messages: ReadonlyArray<{ role: string; content: string }>, addGenerationPrompt: boolean, tools?: readonly ToolSpec[]): string {
    let budget = CHAT_RANGE_BUDGET;
    const range = (start: number, stop?: number, step = 1): number[] => {
      const [from, to] = stop === undefined ? [0, start] : [start, stop];
      if (step === 0) throw new Error('range() step must not be zero');
      const count = Math.max(0, Math.ceil((to - from) / step));
      if (!Number.isFinite(count) || count > budget) throw new Error(`range() would make ${count} items, over the chat template's budget of ${CHAT_RANGE_BUDGET} per render`);
      budget -= count;
      return Array.from({ length: count }, (_, i) => from + i * step);
    };
    let out: string;
    try {
      // Template.render would install the unbounded built-in range(); build its environment ourselves instead.
      const env = new Environment();
      const globals: Record<string, unknown> = {
        false: false,
        true: true,
        none: null,
        False: false,
        True: true,
        None: null,
        raise_exception: (message: unknown) => {
          throw new Error(String(message));
        },
        range,
        strftime_now: strftimeNow,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        ...(tools?.length ? { tools: tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })) } : {}),
        add_generation_prompt: addGenerationPrompt,
        bos_token: this.bosToken ?? '',
        eos_token: this.eosToken ?? '',
      };
      for (const [k, v] of Object.entries(globals)) env.set(k, v as never);
      out = String(new Interpreter(env).run(this.#template.parsed).value);
    } catch (err) {
      throw new MappaError(`${this.source}: the chat template failed to render: ${(err as Error).message}`, {
        hint: 'check the checkpoint\'s chat_template.jinja (or the chatTemplate file in the policy config)',
        cause: err,
      });
    }
    if (out.length > CHAT_MAX_OUTPUT) {
      throw new MappaError(`${this.source}: the chat template rendered ${out.length} characters, over the limit of ${CHAT_MAX_OUTPUT}`, {
        hint: 'check the loops of the chat template',
      });
    }
    return out;
  }
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Python's `strftime` for the fields chat templates use (e.g. Llama 3.1's `strftime_now("%d %b %Y")`). */
function strftimeNow(format: unknown): string {
  const d = new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const fields: Record<string, string> = {
    Y: String(d.getFullYear()),
    y: pad(d.getFullYear() % 100),
    m: pad(d.getMonth() + 1),
    d: pad(d.getDate()),
    B: MONTHS[d.getMonth()]!,
    b: MONTHS[d.getMonth()]!.slice(0, 3),
    A: DAYS[d.getDay()]!,
    a: DAYS[d.getDay()]!.slice(0, 3),
    H: pad(d.getHours()),
    M: pad(d.getMinutes()),
    S: pad(d.getSeconds()),
    '%': '%',
  };
  return String(format).replace(/%(.)/g, (all, c: string) => fields[c] ?? all);
}
