/** A context and the action tokens trained to follow it. */
export interface SequenceRow {
  readonly contextIds: readonly number[];
  readonly actionIds: readonly number[];
  /** Supervised only: 0 for action-span tokens the policy did not produce (see Experience.lossMask). */
  readonly lossMask?: readonly number[] | undefined;
}

/**
 * Padded model inputs for a set of (context, action) rows, plus the mapping between action tokens and logit positions.
 *
 * The model reads `context ++ action[:-1]` (right padded); the logits at position p score token p+1, so action token j
 * of row i is scored at position `contextIds.length − 1 + j`. Only the window of positions from the earliest first
 * action position (`start`) to the end is kept for the vocabulary-wide ops, which skips most of long shared prompts.
 */
export interface SequenceBatch {
  readonly rows: number;
  /** Padded input length T. */
  readonly length: number;
  /** First logit position kept. */
  readonly start: number;
  /** Kept positions: T − start. */
  readonly width: number;
  /** [rows, length] token ids, right padded with the pad id. */
  readonly inputIds: Int32Array;
  /** [rows, length] 1 for real tokens, 0 for padding. */
  readonly attentionMask: Int32Array;
  /** [rows, width] the token each kept position predicts (pad id where there is none). */
  readonly targets: Int32Array;
  /** [rows, width] 1 where the target is an action token. */
  readonly actionMask: Float32Array;
  /** Column of each row's first action token inside the window. */
  readonly offsets: readonly number[];
  readonly actionLengths: readonly number[];
}

export function buildSequenceBatch(rows: readonly SequenceRow[], padTokenId: number): SequenceBatch {
  if (rows.length === 0) throw new RangeError('buildSequenceBatch: no rows');
  for (const [i, r] of rows.entries()) {
    if (r.contextIds.length === 0 || r.actionIds.length === 0) throw new RangeError(`buildSequenceBatch: row ${i} has an empty context or action`);
  }
  const n = rows.length;
  const length = Math.max(...rows.map((r) => r.contextIds.length + r.actionIds.length - 1));
  const start = Math.min(...rows.map((r) => r.contextIds.length - 1));
  const width = length - start;
  const inputIds = new Int32Array(n * length).fill(padTokenId);
  const attentionMask = new Int32Array(n * length);
  const targets = new Int32Array(n * width).fill(padTokenId);
  const actionMask = new Float32Array(n * width);
  const offsets: number[] = [];
  rows.forEach((r, i) => {
    const seq = [...r.contextIds, ...r.actionIds];
    for (let p = 0; p < seq.length - 1; p++) {
      inputIds[i * length + p] = seq[p]!;
      attentionMask[i * length + p] = 1;
    }
    const off = r.contextIds.length - 1 - start;
    offsets.push(off);
    for (let j = 0; j < r.actionIds.length; j++) {
      targets[i * width + off + j] = r.actionIds[j]!;
      actionMask[i * width + off + j] = 1;
    }
  });
  return { rows: n, length, start, width, inputIds, attentionMask, targets, actionMask, offsets, actionLengths: rows.map((r) => r.actionIds.length) };
}

/** Places per-action-token values (one array per row) at their window positions; other positions get `fill`. */
export function toWindow(batch: SequenceBatch, values: readonly (readonly number[])[], fill = 0): Float32Array {
  const out = new Float32Array(batch.rows * batch.width).fill(fill);
  values.forEach((row, i) => {
    const base = i * batch.width + batch.offsets[i]!;
    for (let j = 0; j < batch.actionLengths[i]!; j++) out[base + j] = row[j] ?? fill;
  });
  return out;
}

/** Reads the action tokens' values back out of a [rows, width] window. */
export function fromWindow(batch: SequenceBatch, flat: ArrayLike<number>): number[][] {
  return batch.offsets.map((off, i) => {
    const base = i * batch.width + off;
    return Array.from({ length: batch.actionLengths[i]! }, (_, j) => flat[base + j]!);
  });
}
