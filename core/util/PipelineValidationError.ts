import { MappaError } from './MappaError.js';
import { formatIssue, type ValidationIssue } from './ValidationIssue.js';

/** Thrown when a pipeline file has problems; lists every problem by path. */
export class PipelineValidationError extends MappaError {
  readonly issues: readonly ValidationIssue[];
  readonly file: string | undefined;

  constructor(issues: readonly ValidationIssue[], file?: string) {
    const where = file ? ` in ${file}` : '';
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'}${where}:\n` + issues.map((i) => '  - ' + formatIssue(i)).join('\n'));
    this.name = 'PipelineValidationError';
    this.issues = issues;
    this.file = file;
  }
}
