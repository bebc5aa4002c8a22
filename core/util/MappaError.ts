/** Base error for problems the user can fix; `hint` says how. */
export class MappaError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MappaError';
    this.hint = options?.hint;
  }
}
