import type { ServableModel } from './ServableModel.js';

/** The string a log-prob entry names its token by (vLLM's `return_tokens_as_token_ids` gives `token_id:N`). */
export function tokenString(model: ServableModel, id: number, asIds: boolean): string {
  return asIds ? `token_id:${id}` : model.tokenizer.decode([id]);
}

/** Chat shape: `choices[i].logprobs.content[j]`. Only the sampled token's log-prob is computed (top_logprobs: []). */
export function chatLogprobs(model: ServableModel, ids: readonly number[], lps: readonly number[], asIds: boolean) {
  return {
    content: ids.map((id, j) => {
      const token = tokenString(model, id, asIds);
      return { token, logprob: lps[j] as number, bytes: [...Buffer.from(token, 'utf8')], top_logprobs: [] as never[] };
    }),
  };
}

/** Completions shape: tokens, token_logprobs, top_logprobs (the sampled token only), text_offset from `offset`. */
export function completionLogprobs(model: ServableModel, ids: readonly number[], lps: readonly number[], asIds: boolean, offset: number) {
  const tokens = ids.map((id) => tokenString(model, id, asIds));
  const textOffset: number[] = [];
  let at = offset;
  for (const t of tokens) {
    textOffset.push(at);
    at += t.length;
  }
  return {
    tokens,
    token_logprobs: [...lps],
    top_logprobs: tokens.map((t, j) => ({ [t]: lps[j] as number })),
    text_offset: textOffset,
  };
}
