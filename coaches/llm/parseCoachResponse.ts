/** What a coach reply said, or why it could not be read. */
export type ParsedCoachResponse =
  | {
      readonly ok: true;
      /** Score clamped to [0, 10]. */
      readonly score: number;
      /** The number the reply gave, when it was outside [0, 10] and had to be clamped. */
      readonly clampedFrom?: number;
      /** `ANSWER_CORRECT` (0 or 1), when the reply gave one. */
      readonly answerCorrect?: 0 | 1;
      readonly rationale: string;
      readonly format: 'lines' | 'json';
      /** Earlier score lines that were not the final verdict (e.g. quoted from the action), when there were any. */
      readonly ignoredScoreLines?: number;
    }
  | { readonly ok: false; readonly error: string };

export interface ParseOptions {
  /** The reply must also carry `ANSWER_CORRECT: 0|1` (the coach saw the ground truth). */
  readonly requireAnswerCorrect: boolean;
}

const THINK_BLOCK = /<think(?:ing)?>[\s\S]*?<\/think(?:ing)?>/gi;
// Markdown emphasis around the label or value is common (`**PROCESS_SCORE:** 8`); anything else is not accepted.
const SCORE_LINE = /^[ \t>*_#-]*PROCESS_SCORE[*_]*[ \t]*[:=][*_ \t]*(.*)$/gim;
const ANSWER_LINE = /^[ \t>*_#-]*ANSWER_CORRECT[*_]*[ \t]*[:=][*_ \t]*(.*)$/gim;
const SCORE_VALUE = /^\[?\s*(-?\d+(?:\.\d+)?)\s*\]?(?:\s*(?:\/|out of)\s*10)?[\s*_.]*$/i;
const ANSWER_VALUE = /^\[?\s*([01])(?:\.0+)?\s*\]?[\s*_.]*$/;

function clamp(score: number): { score: number; clampedFrom?: number } {
  if (score < 0) return { score: 0, clampedFrom: score };
  if (score > 10) return { score: 10, clampedFrom: score };
  return { score };
}

function parseJson(text: string, o: ParseOptions): ParsedCoachResponse | undefined {
  const body = text.replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '').trim();
  if (!body.startsWith('{')) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const fields = new Map(Object.entries(obj).map(([k, v]) => [k.toLowerCase(), v]));
  if (!fields.has('process_score')) return { ok: false, error: 'the JSON reply has no "process_score" field' };
  const raw = fields.get('process_score');
  const score = typeof raw === 'number' ? raw : typeof raw === 'string' && SCORE_VALUE.test(raw.trim()) ? Number(SCORE_VALUE.exec(raw.trim())![1]) : NaN;
  if (!Number.isFinite(score)) return { ok: false, error: `"process_score" is not a number: ${JSON.stringify(raw)}` };
  const ac = fields.get('answer_correct');
  let answerCorrect: 0 | 1 | undefined;
  if (ac !== undefined && ac !== null) {
    if (ac === 0 || ac === 1 || ac === '0' || ac === '1' || typeof ac === 'boolean') answerCorrect = Number(ac) as 0 | 1;
    else return { ok: false, error: `"answer_correct" must be 0 or 1, got ${JSON.stringify(ac)}` };
  }
  if (o.requireAnswerCorrect && answerCorrect === undefined) return { ok: false, error: 'the JSON reply has no "answer_correct" field (0 or 1)' };
  const rationale = fields.get('rationale') ?? fields.get('analysis') ?? fields.get('reasoning');
  return {
    ok: true,
    ...clamp(score),
    ...(answerCorrect !== undefined ? { answerCorrect } : {}),
    rationale: typeof rationale === 'string' ? rationale.trim() : '',
    format: 'json',
  };
}

/**
 * Strictly reads a coach reply: a JSON object with `process_score` (structured output), or `PROCESS_SCORE: x` lines
 * (and `ANSWER_CORRECT: 0|1` when required). Scores outside [0, 10] are clamped and reported. A missing or
 * non-numeric score, or lines that disagree, make the reply unreadable: the runtime then sends one repair prompt.
 * There is deliberately no "first number in the text" fallback, which would pick up numbers from the analysis.
 */
export function parseCoachResponse(reply: string, o: ParseOptions): ParsedCoachResponse {
  const text = reply.replace(THINK_BLOCK, '').trim();
  if (text === '') return { ok: false, error: 'the reply is empty' };
  const json = parseJson(text, o);
  if (json) return json;

  // The verdict is the last score line: earlier ones may be quoted from the action (which can contain its own
  // "PROCESS_SCORE: 10" to game the coach) or from the instructions. They are counted, not read.
  const scoreLines = [...text.matchAll(SCORE_LINE)].map((m) => (m[1] ?? '').trim());
  if (scoreLines.length === 0) return { ok: false, error: 'no "PROCESS_SCORE: <0-10>" line' };
  const finalScore = scoreLines.at(-1)!;
  if (!SCORE_VALUE.test(finalScore)) return { ok: false, error: `PROCESS_SCORE is not a number: "${finalScore.slice(0, 40)}"` };
  const scores = [Number(SCORE_VALUE.exec(finalScore)![1])];
  const ignoredScoreLines = scoreLines.length - 1;

  const answerLines = [...text.matchAll(ANSWER_LINE)].map((m) => (m[1] ?? '').trim());
  const finalAnswer = answerLines.at(-1);
  if (finalAnswer !== undefined && !ANSWER_VALUE.test(finalAnswer)) return { ok: false, error: `ANSWER_CORRECT must be 0 or 1, got "${finalAnswer.slice(0, 40)}"` };
  const answers = finalAnswer !== undefined ? [Number(ANSWER_VALUE.exec(finalAnswer)![1])] : [];
  if (o.requireAnswerCorrect && answers.length === 0) return { ok: false, error: 'no "ANSWER_CORRECT: 0|1" line' };

  const rationale = text.replace(SCORE_LINE, '').replace(ANSWER_LINE, '').trim();
  return {
    ok: true,
    ...clamp(scores[0]!),
    ...(answers.length === 1 ? { answerCorrect: answers[0] as 0 | 1 } : {}),
    rationale,
    format: 'lines',
    ...(ignoredScoreLines > 0 ? { ignoredScoreLines } : {}),
  };
}

/** JSON schema for structured output (strict-mode compatible: every property required, no extra ones). */
export function coachResponseSchema(requireAnswerCorrect: boolean): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      rationale: { type: 'string', description: 'A short analysis of the action (3-5 sentences).' },
      process_score: { type: 'number', description: 'Process score from 0 (terrible) to 10 (perfect).' },
      ...(requireAnswerCorrect
        ? { answer_correct: { type: 'integer', enum: [0, 1], description: '1 if the final answer matches the ground truth, else 0.' } }
        : {}),
    },
    required: ['rationale', 'process_score', ...(requireAnswerCorrect ? ['answer_correct'] : [])],
    additionalProperties: false,
  };
}
