import type { TaskType } from '../DsbenchTaskMeta.js';

const BOOL_LIKE = new Set(['0', '1', '0.0', '1.0', 'true', 'false']);
const isNumeric = (s: string) => s !== '' && Number.isFinite(Number(s));

function present(values: readonly string[]): string[] {
  return values.map((v) => v.trim()).filter((v) => v !== '' && v.toLowerCase() !== 'nan');
}

/**
 * Classification or regression from the ground-truth target values. Boolean-like, binary, any non-numeric labels
 * (e.g. `Graduate`/`Dropout`/`Enrolled`) and integers with at most 10 distinct values are classification; everything
 * else is regression.
 */
export function detectDataType(values: readonly string[]): TaskType {
  const vals = present(values);
  if (vals.length === 0) return 'regression';
  const unique = new Set(vals);
  if ([...unique].every((v) => BOOL_LIKE.has(v.toLowerCase()))) return 'classification';
  if (unique.size === 2) return 'classification';
  if (vals.some((v) => !isNumeric(v))) return 'classification';
  if (unique.size <= 10 && vals.every((v) => Number.isInteger(Number(v)))) return 'classification';
  return 'regression';
}

/**
 * The reference code's detector (`ground_truth_utils.detect_data_type`), kept for comparison: it calls string
 * multiclass targets (more than two distinct non-numeric labels) "regression", which mislabels tasks such as
 * playground-series-s4e6. Do not use it to grade.
 */
export function referenceDataType(values: readonly string[]): TaskType {
  const vals = present(values);
  if (vals.length === 0) return 'regression';
  const unique = new Set(vals);
  if ([...unique].every((v) => BOOL_LIKE.has(v.toLowerCase()))) return 'classification';
  if (unique.size === 2) return 'classification';
  // pandas reads the column as int64 only when every value is an integer literal.
  if (vals.every((v) => /^[+-]?\d+$/.test(v)) && unique.size <= 10) return 'classification';
  return 'regression';
}
