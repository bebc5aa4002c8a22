import type { AgentTurn } from '../../core/model/Episode.js';

/** Removes `<think>…</think>` blocks and orphan tags (as the reference does before handing outputs downstream). */
export function stripThinkingBlocks(text: string): string {
  return text
    .replace(/<think>[\s\S]*?<\/think>\s*/g, '')
    .replace(/<think>[\s\S]*$/, '')
    .replace(/<\/?think>\s*/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const SUMMARY_BLOCK = /---[A-Z_]*SUMMARY---[\s\S]*?---END_SUMMARY---/g;

/**
 * What a downstream agent reads from an upstream one: its final output without `<think>`, plus the last
 * `---…_SUMMARY---` block its code printed when the output does not already contain it (so a summary printed by
 * code reaches the next agent even when the final action is a short sign-off).
 */
export function handoffText(turn: AgentTurn): string {
  const text = stripThinkingBlocks(turn.output);
  const printed = turn.actions.flatMap((a) => [...a.toolOutput.matchAll(SUMMARY_BLOCK)].map((m) => m[0]));
  const last = printed.at(-1);
  return last && !text.includes(last) ? `${text}\n\nSummary printed by its code:\n${last}`.trim() : text;
}
