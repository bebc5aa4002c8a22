import { MappaError } from './MappaError.js';

/** Names that become one path segment: a letter or digit first, then letters, digits, `_`, `-` and `.`. */
export const SAFE_NAME = /^[A-Za-z0-9][\w.-]*$/;
export const SAFE_NAME_MESSAGE = 'a name must start with a letter or digit and use only letters, digits, "_", "-" and "." (it becomes a directory name)';

/**
 * Returns `value` when it is safe as a single path segment (no separators, no `..`, not hidden); throws otherwise.
 * Validation already refuses such ids; this guards every place an id becomes a path in case it was bypassed.
 */
export function safePathSegment(value: string, what: string): string {
  if (typeof value === 'string' && SAFE_NAME.test(value) && value.length <= 200) return value;
  throw new MappaError(`${what} "${String(value)}" cannot be used as a directory name`, { hint: SAFE_NAME_MESSAGE });
}
