import type { TokenizerFiles } from './TextTokenizer.js';

export type ScratchTokenizerKind = 'byte' | 'char';

/** Special tokens of from-scratch tokenizers: one token per role keeps chat contexts short. */
export const SCRATCH_SPECIAL_TOKENS = ['<|pad|>', '<|end|>', '<|system|>', '<|user|>', '<|assistant|>', '<|tool|>'] as const;

/**
 * ChatML-like, two special tokens per message: `<|user|>text<|end|>`. Function tools, when given, come first as one
 * short system line (`<|system|>tools: calculator(expression)<|end|>`): tiny models have short contexts.
 */
export const SCRATCH_CHAT_TEMPLATE =
  "{% if tools %}<|system|>tools:{% for tool in tools %} {{ tool.function.name }}({% if tool.function.parameters.properties %}" +
  "{% for key, value in tool.function.parameters.properties.items() %}{% if not loop.first %}, {% endif %}{{ key }}{% endfor %}{% endif %})" +
  "{% endfor %}<|end|>{% endif %}" +
  "{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] + '<|end|>' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

/** Characters of the `char` tokenizer: tab, newline and printable ASCII; anything else becomes `<unk>`. */
const CHARSET = ['\t', '\n', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))];

/** GPT-2's byte → printable character map used by byte-level BPE tokenizers. */
function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let i = 33; i <= 126; i++) bs.push(i);
  for (let i = 161; i <= 172; i++) bs.push(i);
  for (let i = 174; i <= 255; i++) bs.push(i);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const out = new Array<string>(256);
  bs.forEach((b, i) => (out[b] = String.fromCodePoint(cs[i] as number)));
  return out;
}

function addedToken(id: number, content: string) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/**
 * A `tokenizer.json` for models trained from scratch, in the standard Hugging Face format so saved checkpoints open in
 * other tools: `byte` is byte-level BPE without merges (ids 0–255 are the UTF-8 bytes), `char` is one token per
 * character of a small charset. Special tokens follow the base vocabulary.
 */
export function scratchTokenizerFiles(kind: ScratchTokenizerKind): TokenizerFiles {
  const vocab: Record<string, number> = {};
  let model: Record<string, unknown>;
  let preTokenizer: unknown = null;
  let decoder: unknown;
  const added: ReturnType<typeof addedToken>[] = [];
  let next: number;
  if (kind === 'byte') {
    bytesToUnicode().forEach((ch, b) => (vocab[ch] = b));
    next = 256;
    preTokenizer = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false };
    decoder = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false };
    model = { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [] };
  } else {
    vocab['<unk>'] = 0;
    added.push(addedToken(0, '<unk>'));
    CHARSET.forEach((ch, i) => (vocab[ch] = i + 1));
    next = CHARSET.length + 1;
    decoder = { type: 'Fuse' };
    model = { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [] };
  }
  for (const tok of SCRATCH_SPECIAL_TOKENS) {
    vocab[tok] = next;
    added.push(addedToken(next++, tok));
  }
  return {
    tokenizerJson: { version: '1.0', truncation: null, padding: null, added_tokens: added, normalizer: null, pre_tokenizer: preTokenizer, post_processor: null, decoder, model },
    tokenizerConfig: {
      tokenizer_class: 'PreTrainedTokenizerFast',
      bos_token: null,
      eos_token: '<|end|>',
      pad_token: '<|pad|>',
      unk_token: kind === 'char' ? '<unk>' : null,
      model_max_length: 1_000_000,
    },
    chatTemplate: SCRATCH_CHAT_TEMPLATE,
  };
}
