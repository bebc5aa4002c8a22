import type { Policy } from '../contracts/Policy.js';
import type { Demonstration } from '../model/Demonstration.js';
import type { Message } from '../model/Message.js';

/** A demonstration as token ids; `lossMask` marks the trained tokens of a packed multi-turn example. */
export interface EncodedExample {
  readonly agentId: string;
  readonly contextIds: number[];
  readonly actionIds: number[];
  readonly lossMask?: number[];
}

const sameMessage = (a: Message, b: Message) => a.role === b.role && a.content === b.content;
const startsWith = (seq: readonly number[], prefix: readonly number[], at = 0) => prefix.every((t, i) => seq[at + i] === t);

/** The turns of one agent on one task form a chain: each turn's conversation is the previous one plus its response and one reply. */
function isChain(turns: readonly Demonstration[]): boolean {
  for (let k = 1; k < turns.length; k++) {
    const prev = turns[k - 1]!;
    const cur = turns[k]!;
    if (cur.turnIndex !== k || prev.turnIndex !== k - 1) return false;
    // The reply may be several messages (one per tool call).
    if (cur.messages.length < prev.messages.length + 2) return false;
    if (!prev.messages.every((m, i) => sameMessage(m, cur.messages[i]!))) return false;
    const assistant = cur.messages[prev.messages.length]!;
    if (assistant.role !== 'assistant' || assistant.content !== prev.response) return false;
  }
  return true;
}

/**
 * Encodes demonstrations with each agent's own policy. With `pack`, the turns of a multi-turn agent on one task become
 * one example — the whole conversation, trained on every response and not on the tool replies between them — which
 * costs one forward pass over the longest context instead of one per turn and gives the same per-token losses.
 * Turns that do not form a chain, or whose token ids do not line up exactly, stay separate examples.
 */
export async function encodeDemonstrations(
  demonstrations: readonly Demonstration[],
  policyOf: (agentId: string) => Policy & Required<Pick<Policy, 'encodeDemonstration'>>,
  pack: boolean,
): Promise<{ examples: EncodedExample[]; packed: number }> {
  const examples: EncodedExample[] = [];
  let packed = 0;
  const single = async (d: Demonstration) => {
    const e = await policyOf(d.agentId).encodeDemonstration(d.messages, d.response, d.tools ? { tools: d.tools } : undefined);
    examples.push({ agentId: d.agentId, ...e });
  };
  if (!pack) {
    for (const d of demonstrations) await single(d);
    return { examples, packed };
  }
  const groups = new Map<string, Demonstration[]>();
  const loose: Demonstration[] = [];
  for (const d of demonstrations) {
    if (d.taskId === undefined || d.turnIndex === undefined) loose.push(d);
    else {
      const key = `${d.agentId}\u0000${d.taskId}`;
      const g = groups.get(key) ?? [];
      g.push(d);
      groups.set(key, g);
    }
  }
  for (const d of loose) await single(d);
  for (const group of groups.values()) {
    const turns = [...group].sort((a, b) => a.turnIndex! - b.turnIndex!);
    if (turns.length < 2 || !isChain(turns)) {
      for (const d of turns) await single(d);
      continue;
    }
    const policy = policyOf(turns[0]!.agentId);
    const contexts: number[][] = [];
    const actions: number[][] = [];
    const messages: Message[] = [];
    for (const [k, turn] of turns.entries()) {
      if (k > 0) messages.push({ role: 'assistant', content: turns[k - 1]!.response, tokenIds: actions[k - 1]! }, ...turn.messages.slice(turns[k - 1]!.messages.length + 1));
      else messages.push(...turn.messages);
      const e = await policy.encodeDemonstration(messages, turn.response, turn.tools ? { tools: turn.tools } : undefined);
      contexts.push(e.contextIds);
      actions.push(e.actionIds);
    }
    const full = [...contexts.at(-1)!, ...actions.at(-1)!];
    const aligned = contexts.every((c, k) => startsWith(full, c) && startsWith(full, actions[k]!, c.length));
    if (!aligned) {
      for (const d of turns) await single(d);
      continue;
    }
    const base = contexts[0]!.length;
    const lossMask = new Array<number>(full.length - base).fill(0);
    contexts.forEach((c, k) => {
      for (let j = 0; j < actions[k]!.length; j++) lossMask[c.length - base + j] = 1;
    });
    examples.push({ agentId: turns[0]!.agentId, contextIds: contexts[0]!, actionIds: full.slice(base), lossMask });
    packed++;
  }
  return { examples, packed };
}
