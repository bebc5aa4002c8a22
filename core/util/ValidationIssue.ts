/** One problem in a pipeline file, located by its path (e.g. `agents[1].policy.use`). */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out || '(root)';
}

export function formatIssue(issue: ValidationIssue): string {
  return `${issue.path}: ${issue.message}${issue.hint ? ` (${issue.hint})` : ''}`;
}
