import { randomUUID } from 'node:crypto';
import { usage } from './chatCompletion.js';
import type { ChoiceDelta, ChoiceResult } from './generateChoices.js';
import { generateChoices } from './generateChoices.js';
import { badRequest } from './HttpError.js';
import type { ModelRegistry } from './ModelRegistry.js';
import { VERSION_HEADER } from './Reply.js';
import type { Reply } from './Reply.js';
import type { CompletionRequest } from './requestSchemas.js';
import { requestSettings } from './requestSettings.js';
import type { ServableModel } from './ServableModel.js';
import { completionLogprobs } from './tokenLogprobs.js';

/** The prompts of a completions request as token ids (text is tokenized without special tokens). */
function promptIds(r: CompletionRequest, model: ServableModel): number[][] {
  const p = r.prompt;
  const lists: Array<string | number[]> =
    typeof p === 'string' ? [p] : p.every((x) => typeof x === 'number') ? [p as number[]] : (p as Array<string | number[]>);
  return lists.map((item, i) => {
    const ids = typeof item === 'string' ? model.tokenizer.encode(item) : item;
    const param = lists.length === 1 ? 'prompt' : `prompt[${i}]`;
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= model.vocabSize) {
        throw badRequest(`${param}: token id ${id} is outside the vocabulary [0, ${model.vocabSize})`, param, 'invalid_token_id');
      }
    }
    if (ids.length === 0) throw badRequest(`${param}: the prompt is empty`, param);
    return ids;
  });
}

/** POST /v1/completions: text or token-id prompts (one or several), n choices each; SSE when `stream`. */
export async function completion(r: CompletionRequest, registry: ModelRegistry, reply: Reply, signal: AbortSignal): Promise<void> {
  if (r.echo) throw badRequest('`echo` is not supported by mappa serve (use return_token_ids to get the prompt ids)', 'echo', 'unsupported_parameter');
  if (r.suffix) throw badRequest('`suffix` is not supported by mappa serve', 'suffix', 'unsupported_parameter');
  if ((r.logprobs ?? 0) > 0) {
    throw badRequest('logprobs > 0 is not supported by mappa serve: it returns the log-prob of each sampled token only (logprobs: 0)', 'logprobs', 'unsupported_parameter');
  }
  const lease = registry.acquire(r.model);
  try {
    const { model, version } = lease.served;
    const prompts = promptIds(r, model);
    const settings = prompts.map((ids) => requestSettings(r, model, r.max_tokens ?? 16, ids.length));
    const wantLogprobs = r.logprobs != null;
    const asIds = r.return_tokens_as_token_ids === true;
    const withIds = r.return_token_ids === true;
    const n = settings[0]?.n ?? 1;
    const head = { id: `cmpl-${randomUUID().replaceAll('-', '')}`, created: Math.floor(Date.now() / 1000), model: r.model, model_version: version };
    const headers = { [VERSION_HEADER]: String(version) };
    const promptOf = (index: number) => prompts[Math.floor(index / n)] as number[];
    const run = (onDelta?: (d: ChoiceDelta) => void) =>
      Promise.all(prompts.map((contextIds, p) => generateChoices({ model, contextIds, settings: settings[p]!, firstIndex: p * n, signal, onDelta }))).then((r) => r.flat());
    const promptTokens = prompts.reduce((a, ids) => a + ids.length, 0);

    if (r.stream) {
      reply.startStream(headers);
      const offsets = new Map<number, number>();
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => reply.send({ ...head, object: 'text_completion', choices, ...extra });
      const onDelta = (d: ChoiceDelta) => {
        const first = !offsets.has(d.index);
        const at = offsets.get(d.index) ?? 0;
        const lp = wantLogprobs && d.tokenIds.length > 0 ? completionLogprobs(model, d.tokenIds, d.logprobs, asIds, at) : null;
        if (lp) offsets.set(d.index, at + lp.tokens.reduce((a, t) => a + t.length, 0));
        else offsets.set(d.index, at);
        chunk([
          {
            index: d.index,
            text: d.text,
            logprobs: lp,
            finish_reason: null,
            ...(withIds ? { token_ids: d.tokenIds, ...(first ? { prompt_token_ids: promptOf(d.index) } : {}) } : {}),
          },
        ]);
      };
      const results = await run(onDelta);
      for (const c of results) chunk([{ index: c.index, text: '', logprobs: null, finish_reason: c.finishReason, stop_reason: c.stopReason }]);
      if (r.stream_options?.include_usage) chunk([], { usage: usage(promptTokens, results) });
      reply.endStream();
      return;
    }

    const results: ChoiceResult[] = await run();
    reply.json(
      200,
      {
        ...head,
        object: 'text_completion',
        choices: results.map((c) => ({
          index: c.index,
          text: c.text,
          logprobs: wantLogprobs ? completionLogprobs(model, c.tokenIds, c.logprobs, asIds, 0) : null,
          finish_reason: c.finishReason,
          stop_reason: c.stopReason,
          ...(withIds ? { prompt_token_ids: promptOf(c.index), token_ids: c.tokenIds } : {}),
        })),
        usage: usage(promptTokens, results),
      },
      headers,
    );
  } finally {
    lease.release();
  }
}
