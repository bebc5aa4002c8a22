/** Content of the braced group that opens at `open` (a `{`), honouring nesting and `\{ \}` escapes; undefined if unclosed. */
function bracedGroup(text: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  return undefined;
}

/**
 * The content of the last complete `\boxed{…}` (or `\fbox{…}`, or the brace-less `\boxed 5`) in a text, with nested
 * braces kept, e.g. `\boxed{\frac{1}{2}}` → `\frac{1}{2}`. An unclosed trailing box (a truncated answer) is skipped
 * in favour of the one before it. Undefined when there is none.
 */
export function extractBoxed(text: string): string | undefined {
  const starts = [...text.matchAll(/\\(?:boxed|fbox)(?![A-Za-z])/g)].map((m) => m.index + m[0].length).reverse();
  for (const start of starts) {
    let i = start;
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] === '{') {
      const inner = bracedGroup(text, i);
      if (inner !== undefined) return inner.trim();
      continue;
    }
    if (i > start) {
      // `\boxed 5`: TeX takes one token; answers written this way run to the next space or `$`.
      const m = /^[^\s$]+/.exec(text.slice(i));
      if (m) return m[0];
    }
  }
  return undefined;
}
