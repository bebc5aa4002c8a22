import { deriveSeed } from '../../core/util/deriveSeed.js';
import type { ServableModel } from './ServableModel.js';

/** Sampling settings of one request, already validated and defaulted. */
export interface ChoiceSettings {
  readonly greedy: boolean;
  /** Unset fields take the model's defaults (generation_config.json), as in-process generation does. */
  readonly temperature: number | undefined;
  readonly topP: number | undefined;
  readonly topK: number | undefined;
  readonly maxNewTokens: number | undefined;
  readonly stopStrings: readonly string[];
  readonly stopTokenIds: readonly number[];
  readonly ignoreEos: boolean;
  readonly skipSpecialTokens: boolean;
  /**
   * Choice 0 uses `seed` itself, so n = 1 with seed s is exactly in-process `generate` with seed s; choice i > 0 uses
   * deriveSeed(seed, 'choice', i) (neighbouring raw seeds give correlated first draws).
   */
  readonly seed: number;
  readonly n: number;
}

export interface ChoiceResult {
  readonly index: number;
  readonly tokenIds: readonly number[];
  readonly logprobs: readonly number[];
  /** Generated text without the stop token and cut before a matched stop string (as vLLM returns it). */
  readonly text: string;
  readonly finishReason: 'stop' | 'length';
  /** vLLM's stop_reason: the matched stop string or stop token id; null for EOS or length. */
  readonly stopReason: string | number | null;
}

/** Streamed progress of one choice: new token(s) with their log-probs and the text that is now safe to show. */
export interface ChoiceDelta {
  readonly index: number;
  readonly tokenIds: readonly number[];
  readonly logprobs: readonly number[];
  readonly text: string;
}

export interface GenerateChoicesOptions {
  readonly model: ServableModel;
  readonly contextIds: readonly number[];
  readonly settings: ChoiceSettings;
  /** Index of the first choice (completions with several prompts number choices across prompts). */
  readonly firstIndex?: number;
  readonly signal?: AbortSignal | undefined;
  readonly onDelta?: ((d: ChoiceDelta) => void) | undefined;
}

function endsInStop(ids: readonly number[], stops: ReadonlySet<number>): boolean {
  const last = ids[ids.length - 1];
  return last !== undefined && stops.has(last);
}

/** Final text and stop reason of a finished choice. */
function finish(model: ServableModel, s: ChoiceSettings, ids: readonly number[], finishReason: 'stop' | 'length', stopIds: ReadonlySet<number>): { text: string; stopReason: string | number | null } {
  const last = ids[ids.length - 1];
  const visible = finishReason === 'stop' && endsInStop(ids, stopIds) ? ids.slice(0, -1) : ids;
  let text = model.tokenizer.decode(visible, s.skipSpecialTokens);
  let stopReason: string | number | null = null;
  if (finishReason === 'stop') {
    let cut = -1;
    for (const stop of s.stopStrings) {
      const at = text.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) {
        cut = at;
        stopReason = stop;
      }
    }
    if (cut >= 0) text = text.slice(0, cut);
    else if (last !== undefined && s.stopTokenIds.includes(last) && !model.eosTokenIds.includes(last)) stopReason = last;
  }
  return { text, stopReason };
}

/**
 * Runs the n choices of one prompt concurrently (the model's engine batches them with every other request) and, when
 * streaming, reports each token as it is sampled. Text is held back while it could still turn into a stop string or
 * ends in an incomplete UTF-8 sequence, so streamed text always equals the final text.
 */
export async function generateChoices(o: GenerateChoicesOptions): Promise<ChoiceResult[]> {
  const s = o.settings;
  const stopIds = new Set([...(s.ignoreEos ? [] : o.model.eosTokenIds), ...s.stopTokenIds]);
  const holdBack = Math.max(0, ...s.stopStrings.map((x) => x.length - 1));
  const first = o.firstIndex ?? 0;
  return Promise.all(
    Array.from({ length: s.n }, async (_, i): Promise<ChoiceResult> => {
      const index = first + i;
      const ids: number[] = [];
      let sent = 0;
      const onToken = o.onDelta
        ? (id: number, logprob: number) => {
            ids.push(id);
            if (!stopIds.has(id)) {
              const full = o.model.tokenizer.decode(ids, s.skipSpecialTokens);
              let safe = s.stopStrings.some((x) => full.includes(x)) ? sent : full.length - holdBack;
              while (safe > sent && full.charCodeAt(safe - 1) === 0xfffd) safe--;
              if (safe > sent) {
                o.onDelta?.({ index, tokenIds: [id], logprobs: [logprob], text: full.slice(sent, safe) });
                sent = safe;
                return;
              }
            }
            o.onDelta?.({ index, tokenIds: [id], logprobs: [logprob], text: '' });
          }
        : undefined;
      const g = await o.model.generateFromIds({
        contextIds: o.contextIds,
        sampling: {
          greedy: s.greedy,
          temperature: s.temperature,
          topP: s.topP,
          topK: s.topK,
          maxNewTokens: s.maxNewTokens,
          stopStrings: s.stopStrings,
          stopTokenIds: s.stopTokenIds,
        },
        seed: i === 0 ? s.seed : deriveSeed(s.seed, 'choice', i),
        ignoreEos: s.ignoreEos,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(onToken ? { onToken } : {}),
      });
      const { text, stopReason } = finish(o.model, s, g.tokenIds, g.finishReason, stopIds);
      if (o.onDelta && text.length > sent) o.onDelta({ index, tokenIds: [], logprobs: [], text: text.slice(sent) });
      return { index, tokenIds: g.tokenIds, logprobs: g.logprobs, text, finishReason: g.finishReason, stopReason };
    }),
  );
}
