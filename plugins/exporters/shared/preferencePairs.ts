import type { ExportSample } from '../../../core/contracts/Exporter.js';

export interface PreferencePairOptions {
  /** chosen.score − rejected.score must exceed this (default 0: any strict difference). */
  readonly margin: number;
  /** `best-worst`: one pair per shared context (highest vs lowest score); `all`: every pair whose scores differ by more than the margin. */
  readonly pairs: 'best-worst' | 'all';
}

export interface PreferencePair {
  readonly chosen: ExportSample;
  readonly rejected: ExportSample;
}

/**
 * Preference pairs from actions that answered the same context: same trainer group (task sample group, agent, turn)
 * and the same context — token ids when the policy recorded them, else the rendered text. The higher coach score is
 * chosen. Actions without a score take no part.
 */
export function preferencePairs(samples: readonly ExportSample[], o: PreferencePairOptions): { pairs: PreferencePair[]; unpaired: number } {
  const groups = new Map<string, ExportSample[]>();
  for (const s of samples) {
    if (s.record.score === null) continue;
    const ctx = s.record.context_ids.length ? s.record.context_ids.join(',') : s.record.context_text;
    const key = `${s.record.split}/${s.record.step}/${s.record.group_id}\u0000${ctx}`;
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }
  const pairs: PreferencePair[] = [];
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    if (o.pairs === 'best-worst') {
      let best = list[0]!;
      let worst = list[0]!;
      for (const s of list) {
        if (s.record.score! > best.record.score!) best = s;
        if (s.record.score! < worst.record.score!) worst = s;
      }
      if (best.record.score! - worst.record.score! > o.margin) pairs.push({ chosen: best, rejected: worst });
    } else {
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const [a, b] = [list[i]!, list[j]!];
          const d = a.record.score! - b.record.score!;
          if (Math.abs(d) > o.margin) pairs.push(d > 0 ? { chosen: a, rejected: b } : { chosen: b, rejected: a });
        }
      }
    }
  }
  const paired = new Set(pairs.flatMap((p) => [p.chosen, p.rejected]));
  return { pairs, unpaired: samples.filter((s) => !paired.has(s)).length };
}
