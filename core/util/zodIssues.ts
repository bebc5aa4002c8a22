import type { z } from 'zod';
import { didYouMean } from './didYouMean.js';
import { formatPath, type ValidationIssue } from './ValidationIssue.js';

function objectKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] | undefined {
  let s = schema as unknown as { _zod: { def: Record<string, unknown> } };
  const unwrap = () => {
    for (let i = 0; i < 8; i++) {
      const t = s._zod.def['type'];
      if (t === 'optional' || t === 'default' || t === 'nullable' || t === 'prefault') s = s._zod.def['innerType'] as typeof s;
      else if (t === 'union') {
        const obj = (s._zod.def['options'] as Array<typeof s>).find((o) => o._zod.def['type'] === 'object');
        if (!obj) return;
        s = obj;
      } else return;
    }
  };
  unwrap();
  for (const p of path) {
    const t = s._zod.def['type'];
    if (t === 'object') s = (s._zod.def['shape'] as Record<string, typeof s>)[String(p)] ?? s;
    else if (t === 'array') s = s._zod.def['element'] as typeof s;
    else if (t === 'record') s = s._zod.def['valueType'] as typeof s;
    else return undefined;
    unwrap();
  }
  return s._zod.def['type'] === 'object' ? Object.keys(s._zod.def['shape'] as object) : undefined;
}

/** What a wrongly typed value is, for messages (never the value itself when it is text: it may be a secret). */
function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number') return Number.isFinite(v) ? `the number ${v}` : `${v} (not a finite number)`;
  if (typeof v === 'string') return 'text';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

/** Turns zod issues into path-located issues, splitting unknown keys and suggesting the closest known key. */
export function zodIssues(error: z.ZodError, schema: z.ZodType, prefix: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const join = (p: string) => (prefix ? (p === '(root)' ? prefix : p.startsWith('[') ? prefix + p : `${prefix}.${p}`) : p);
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeysAt(schema, issue.path) ?? [];
      for (const key of issue.keys) {
        const guess = didYouMean(key, known);
        out.push({
          path: join(formatPath([...issue.path, key])),
          message: `unknown field "${key}"`,
          hint: guess ? `did you mean "${guess}"?` : known.length ? `allowed: ${known.join(', ')}` : 'remove it',
        });
      }
    } else if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
      out.push({ path: join(formatPath(issue.path)), message: `required field is missing (expected ${issue.expected})` });
    } else if (issue.code === 'invalid_type') {
      out.push({ path: join(formatPath(issue.path)), message: `expected ${issue.expected}, got ${describeValue((issue as { input?: unknown }).input)}` });
    } else {
      out.push({ path: join(formatPath(issue.path)), message: issue.message });
    }
  }
  return out;
}
