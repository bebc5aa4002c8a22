import { describe, expect, it } from 'vitest';
import { parseCoachResponse } from '../../coaches/llm/parseCoachResponse.js';

const lenient = { requireAnswerCorrect: false };
const withAnswer = { requireAnswerCorrect: true };

describe('parseCoachResponse', () => {
  it.each<[string, string, number, (0 | 1)?]>([
    ['plain line', 'Good work.\nPROCESS_SCORE: 7', 7],
    ['decimal', 'PROCESS_SCORE: 7.5', 7.5],
    ['markdown bold label', '**PROCESS_SCORE:** 8', 8],
    ['bold value', 'PROCESS_SCORE: **8**', 8],
    ['out of ten', 'PROCESS_SCORE: 6/10', 6],
    ['brackets', 'PROCESS_SCORE: [4]', 4],
    ['lower case', 'process_score: 3', 3],
    ['repeated, same value', 'PROCESS_SCORE: 5\n...\nPROCESS_SCORE: 5', 5],
    ['echoed format line plus a real score', 'PROCESS_SCORE: <number from 0 to 10>\nPROCESS_SCORE: 9', 9],
    ['thinking block ignored', '<think>PROCESS_SCORE: 1</think>\nPROCESS_SCORE: 8', 8],
    ['with answer', 'PROCESS_SCORE: 8\nANSWER_CORRECT: 1', 8, 1],
    ['answer zero', 'ANSWER_CORRECT: 0\nPROCESS_SCORE: 2', 2, 0],
  ])('reads %s', (_name, text, score, answer) => {
    const r = parseCoachResponse(text, lenient);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.score).toBe(score);
    expect(r.answerCorrect).toBe(answer);
    expect(r.clampedFrom).toBeUndefined();
  });

  it.each<[string, string, RegExp]>([
    ['an empty reply', '   ', /empty/],
    ['no score', 'The agent did a fine job. 8 out of 10.', /no "PROCESS_SCORE/],
    ['a word for a number', 'PROCESS_SCORE: nine', /not a number/],
    ['a score with trailing words', 'PROCESS_SCORE: 7 because it was fine', /not a number/],
    ['a missing answer verdict', 'PROCESS_SCORE: 7', /no "ANSWER_CORRECT/],
    ['an answer verdict that is not 0 or 1', 'PROCESS_SCORE: 7\nANSWER_CORRECT: yes', /must be 0 or 1/],
  ])('rejects %s', (_name, text, error) => {
    const r = parseCoachResponse(text, withAnswer);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it('reads the last score and answer lines as the verdict and counts the earlier score lines (issue 18 item 15)', () => {
    const r = parseCoachResponse('PROCESS_SCORE: 7\nANSWER_CORRECT: 1\nOn reflection:\nPROCESS_SCORE: 3\nANSWER_CORRECT: 0', withAnswer);
    expect(r).toMatchObject({ ok: true, score: 3, answerCorrect: 0, ignoredScoreLines: 1 });
  });

  it.each([
    ['PROCESS_SCORE: 11', 10, 11],
    ['PROCESS_SCORE: -2', 0, -2],
    ['{"process_score": 12.5}', 10, 12.5],
  ])('clamps %s to [0, 10] and reports the original', (text, score, from) => {
    const r = parseCoachResponse(text, lenient);
    expect(r.ok && r.score).toBe(score);
    expect(r.ok && r.clampedFrom).toBe(from);
  });

  it('reads structured JSON, fenced or not', () => {
    const a = parseCoachResponse('{"rationale": "fine", "process_score": 6, "answer_correct": 1}', withAnswer);
    expect(a).toMatchObject({ ok: true, score: 6, answerCorrect: 1, rationale: 'fine', format: 'json' });
    const b = parseCoachResponse('```json\n{"PROCESS_SCORE": "7"}\n```', lenient);
    expect(b).toMatchObject({ ok: true, score: 7, format: 'json' });
  });

  it('rejects JSON without a usable score or with a missing verdict', () => {
    expect(parseCoachResponse('{"score": 6}', lenient)).toMatchObject({ ok: false });
    expect(parseCoachResponse('{"process_score": "high"}', lenient)).toMatchObject({ ok: false });
    expect(parseCoachResponse('{"process_score": 6}', withAnswer)).toMatchObject({ ok: false });
    expect(parseCoachResponse('{"process_score": 6, "answer_correct": 2}', withAnswer)).toMatchObject({ ok: false });
  });

  it('keeps the analysis as the rationale without the verdict lines', () => {
    const r = parseCoachResponse('The code ran and matched.\nPROCESS_SCORE: 9\nANSWER_CORRECT: 1', withAnswer);
    expect(r.ok && r.rationale).toBe('The code ran and matched.');
  });
});
