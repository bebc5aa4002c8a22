import type { ChatMessage } from '../../plugins/llm/LlmBackend.js';

/**
 * The one format-repair turn: the original conversation, the unreadable reply, and a request to restate the
 * verdict in exactly the required format (nothing else), as in the reference coach.
 */
export function buildRepairMessages(
  original: readonly ChatMessage[],
  reply: string,
  error: string,
  o: { readonly requireAnswerCorrect: boolean; readonly structured: boolean },
): ChatMessage[] {
  const format = o.structured
    ? `a JSON object {"rationale": "...", "process_score": <number 0-10>${o.requireAnswerCorrect ? ', "answer_correct": <0 or 1>' : ''}}`
    : `these line${o.requireAnswerCorrect ? 's' : ''}:\nPROCESS_SCORE: <number from 0 to 10>${o.requireAnswerCorrect ? '\nANSWER_CORRECT: <0 or 1>' : ''}`;
  return [
    ...original,
    // Some APIs reject empty assistant turns.
    { role: 'assistant', content: reply.trim() === '' ? '(empty reply)' : reply },
    {
      role: 'user',
      content:
        `Your reply could not be read: ${error}.\n` +
        `Keep your assessment and re-output it using EXACTLY ${format}\n` +
        'Do not write anything else.',
    },
  ];
}
