/** Static checks on agents' Python code for bugs the rule coach penalises (heuristics; see docs/dsbench.md). */

const TEST_NAME = /\b(?:X_?test|x_?test|Xtest|X_te|Xt|test_df|df_test|test_data|test_X|test)\b|test\.csv/;

/** The argument text of each call to one of `names`, with balanced parentheses. */
function callArguments(code: string, names: readonly string[]): string[] {
  const out: string[] = [];
  const re = new RegExp(`\\b(?:${names.join('|')})\\s*\\(`, 'g');
  for (const m of code.matchAll(re)) {
    let depth = 1;
    let i = m.index! + m[0].length;
    const start = i;
    while (i < code.length && depth > 0) {
      const c = code[i]!;
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
      i++;
    }
    out.push(code.slice(start, i - 1));
  }
  return out;
}

/** First top-level argument of an argument list. */
function firstArgument(args: string): string {
  let depth = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) return args.slice(0, i);
  }
  return args;
}

/** A helper told to fit its statistics on the test rows too, e.g. dsb.py's `prep(fit_on='all')`. */
const FIT_ON_TEST = /\bfit_on\s*=\s*['"](?:all|test|both)['"]/;

/**
 * A `fit(...)` / `fit_transform(...)` / `fit_default(...)` whose data argument is (or contains) the test set, or a
 * helper call with `fit_on='all'`.
 */
export function fitsOnTestData(code: string): string | undefined {
  for (const args of callArguments(code, ['fit', 'fit_transform', 'fit_default'])) {
    const first = firstArgument(args).trim();
    if (TEST_NAME.test(first)) return first.length > 60 ? `${first.slice(0, 57)}...` : first;
  }
  return FIT_ON_TEST.exec(code)?.[0];
}

/**
 * A column other than the target used as the label: `target = 'col'`, `y = df['col']`, `y_train = train.pop('col')`,
 * `dsb.prep('col')`, `dsb.load_split('col', ...)`. Returns the column, or `undefined` when the code names the target or names no label.
 */
export function wrongTargetColumn(code: string, targets: readonly string[]): string | undefined {
  const quoted = (t: string) => code.includes(`'${t}'`) || code.includes(`"${t}"`);
  if (targets.some(quoted)) return undefined;
  const patterns = [
    /\b(?:target|target_col|target_column|label|label_col)\s*(?:,\s*\w+\s*)*=\s*['"]([^'"]+)['"]/g,
    /\by(?:_train)?\s*=\s*[\w.]+\[\s*['"]([^'"]+)['"]\s*\]/g,
    /\by(?:_train)?\s*=\s*[\w.]+\.pop\(\s*['"]([^'"]+)['"]/g,
    /\b(?:load_split|prep)\(\s*(?:target\s*=\s*)?['"]([^'"]+)['"]/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) if (!targets.includes(m[1]!)) return m[1]!;
  return undefined;
}

/** The agent printed a `---…_SUMMARY---` block (as the prompts ask). */
export function printedSummary(toolOutput: string): boolean {
  return /---[A-Z_]*SUMMARY---[\s\S]*?---END_SUMMARY---/.test(toolOutput);
}
