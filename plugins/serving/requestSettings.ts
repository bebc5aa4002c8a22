import { randomInt } from 'node:crypto';
import type { ChoiceSettings } from './generateChoices.js';
import { badRequest } from './HttpError.js';
import type { ServableModel } from './ServableModel.js';

/** Fields both chat and completions requests share. */
export interface SamplingFields {
  readonly temperature?: number | null | undefined;
  readonly top_p?: number | null | undefined;
  readonly top_k?: number | null | undefined;
  readonly seed?: number | null | undefined;
  readonly stop?: string | string[] | null | undefined;
  readonly stop_token_ids?: number[] | null | undefined;
  readonly n?: number | null | undefined;
  readonly ignore_eos?: boolean | null | undefined;
  readonly skip_special_tokens?: boolean | null | undefined;
  readonly presence_penalty?: number | null | undefined;
  readonly frequency_penalty?: number | null | undefined;
  readonly repetition_penalty?: number | null | undefined;
  readonly logit_bias?: Record<string, number> | null | undefined;
  readonly best_of?: number | null | undefined;
  readonly min_tokens?: number | null | undefined;
  readonly prompt_logprobs?: number | null | undefined;
}

/**
 * Sampling settings of a request. Settings the engine does not implement are refused with a 400 naming the field,
 * rather than ignored, so an RL client never trains on samples drawn differently from what it asked for.
 */
export function requestSettings(r: SamplingFields, model: ServableModel, maxTokens: number | null | undefined, promptTokens: number): ChoiceSettings {
  const unsupported = (param: string, why: string) => badRequest(`\`${param}\` ${why} is not supported by mappa serve`, param, 'unsupported_parameter');
  if (r.presence_penalty) throw unsupported('presence_penalty', '(non-zero)');
  if (r.frequency_penalty) throw unsupported('frequency_penalty', '(non-zero)');
  if (r.repetition_penalty != null && r.repetition_penalty !== 1) throw unsupported('repetition_penalty', '(other than 1)');
  if (r.logit_bias && Object.keys(r.logit_bias).length > 0) throw unsupported('logit_bias', '');
  if (r.best_of != null && r.best_of > (r.n ?? 1)) throw unsupported('best_of', '(greater than n)');
  if (r.min_tokens) throw unsupported('min_tokens', '');
  if (r.prompt_logprobs != null) throw unsupported('prompt_logprobs', '');
  for (const id of r.stop_token_ids ?? []) {
    if (id >= model.vocabSize) throw badRequest(`stop_token_ids: token id ${id} is outside the vocabulary [0, ${model.vocabSize})`, 'stop_token_ids', 'invalid_token_id');
  }
  const max = model.maxContextLength;
  if (promptTokens >= max) {
    throw badRequest(`This model's maximum context length is ${max} tokens. However, your prompt has ${promptTokens} tokens. Please reduce the length of the prompt.`, 'messages', 'context_length_exceeded');
  }
  if (maxTokens != null && promptTokens + maxTokens > max) {
    throw badRequest(
      `This model's maximum context length is ${max} tokens. However, you requested ${promptTokens + maxTokens} tokens (${promptTokens} in the prompt, ${maxTokens} in the completion). Please reduce the length of the prompt or completion.`,
      'max_tokens',
      'context_length_exceeded',
    );
  }
  const stops = r.stop == null ? [] : typeof r.stop === 'string' ? [r.stop] : r.stop;
  return {
    greedy: r.temperature === 0,
    temperature: r.temperature ?? undefined,
    topP: r.top_p ?? undefined,
    topK: r.top_k == null ? undefined : r.top_k < 0 ? 0 : r.top_k,
    maxNewTokens: maxTokens ?? undefined,
    stopStrings: stops.filter((s) => s.length > 0),
    stopTokenIds: r.stop_token_ids ?? [],
    ignoreEos: r.ignore_eos === true,
    skipSpecialTokens: r.skip_special_tokens ?? true,
    seed: r.seed ?? randomInt(0, 2 ** 31),
    n: r.n ?? 1,
  };
}
