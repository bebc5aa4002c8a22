import { extractBoxed } from './extractBoxed.js';

/**
 * Rewrites an answer as written by a model or a dataset into the plain form `parseMathExpression` reads: strips math
 * delimiters, `\boxed`, `\text{…}` wrappers, `\left`/`\right`, LaTeX spacing, dollar signs and degree marks; maps
 * `\dfrac`/`\tfrac` to `\frac` (and `\frac12` to `\frac{1}{2}`), `\cdot`/`\times` to `*`, `\div` to `/`, `\%` to `%`,
 * `{,}` thousands separators away; drops a leading `x =` and a trailing full stop.
 */
export function normalizeAnswer(raw: string): string {
  let s = raw.trim();
  const boxed = extractBoxed(s);
  if (boxed !== undefined) s = boxed;
  s = s
    .replace(/^\\\(|\\\)$/g, '')
    .replace(/^\\\[|\\\]$/g, '')
    .replace(/\\(?:text|textbf|textrm|textnormal|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}/g, '$1')
    .replace(/\\[dt]frac(?![A-Za-z])/g, '\\frac')
    .replace(/\\left(?![A-Za-z])|\\right(?![A-Za-z])/g, '')
    .replace(/\{,\}/g, '')
    .replace(/\\[,;:!]/g, '')
    .replace(/\\ |~/g, ' ')
    .replace(/\\%/g, '%')
    .replace(/\\\$/g, '')
    .replace(/\$/g, '')
    .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![A-Za-z])|°/g, '')
    .replace(/\\cdot(?![A-Za-z])|\\times(?![A-Za-z])|[×·⋅]/g, '*')
    .replace(/\\div(?![A-Za-z])|÷/g, '/')
    .replace(/[−–]/g, '-')
    .replace(/\\frac\s*(\d)\s*(\d)/g, '\\frac{$1}{$2}')
    .replace(/\\frac\s*(\d)/g, '\\frac{$1}')
    .replace(/(\\frac\s*\{[^{}]*\})\s*(\d)/g, '$1{$2}')
    .replace(/\s+/g, ' ')
    .trim();
  s = s.replace(/^[A-Za-z]\s*=\s*/, '');
  s = s.replace(/\.$/, '').trim();
  return s;
}
