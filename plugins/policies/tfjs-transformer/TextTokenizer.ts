import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import type { ToolSpec } from '../../../core/contracts/Tool.js';
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
   */
  renderChat(messages: ReadonlyArray<{ role: string; content: string }>, addGenerationPrompt: boolean, tools?: readonly ToolSpec[]): string {
    return this.#template.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      ...(tools?.length ? { tools: tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })) } : {}),
      add_generation_prompt: addGenerationPrompt,
      bos_token: this.bosToken ?? '',
      eos_token: this.eosToken ?? '',
    });
  }
}
