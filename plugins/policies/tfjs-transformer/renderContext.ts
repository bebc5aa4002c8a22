import type { ToolSpec } from '../../../core/model/ToolSpec.js';
import type { Message } from '../../../core/model/Message.js';
import { MappaError } from '../../../core/util/MappaError.js';
import type { TextTokenizer } from './TextTokenizer.js';

const sentinel = (i: number) => `\u0001mappa-assistant-${i}\u0001`;

/**
 * Token ids of a chat context, with the exact `tokenIds` of earlier assistant messages spliced in (never
 * re-tokenized). The conversation is rendered once by the chat template with a sentinel in place of each such
 * message; the text between sentinels is tokenized piece by piece. When an assistant message's ids end with an
 * end-of-turn token that the template also writes after the content, the template's copy is dropped, so the context
 * matches what the model saw when it generated the message.
 */
export function renderContext(tok: TextTokenizer, messages: readonly Message[], endIds: ReadonlySet<number>, tools?: readonly ToolSpec[]): number[] {
  const spliced: Array<readonly number[]> = [];
  const rendered = tok.renderChat(
    messages.map((m) => {
      if (m.role !== 'assistant' || m.tokenIds === undefined) return m;
      spliced.push(m.tokenIds);
      return { role: m.role, content: sentinel(spliced.length - 1) };
    }),
    true,
    tools,
  );
  const ids: number[] = [];
  let rest = rendered;
  let previous: readonly number[] | undefined;
  const pushText = (text: string) => {
    const seg = tok.encode(text);
    const last = previous?.[previous.length - 1];
    if (last !== undefined && endIds.has(last) && seg[0] === last) seg.shift();
    ids.push(...seg);
  };
  for (let i = 0; i < spliced.length; i++) {
    const at = rest.indexOf(sentinel(i));
    if (at < 0) {
      throw new MappaError(`the chat template dropped or rewrote assistant message ${i}, so its exact token ids cannot be reused`, {
        hint: 'use a chat template that writes assistant messages verbatim (some templates strip reasoning from earlier turns)',
      });
    }
    pushText(rest.slice(0, at));
    previous = spliced[i] as readonly number[];
    ids.push(...previous);
    rest = rest.slice(at + sentinel(i).length);
  }
  pushText(rest);
  return ids;
}
