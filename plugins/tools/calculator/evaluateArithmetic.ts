/**
 * Evaluates an arithmetic expression: numbers, + - * / % ** (or ^), parentheses and unary signs. Throws on anything
 * else, so a calculator tool never evaluates code.
 */
export function evaluateArithmetic(expression: string): number {
  const tokens = expression.match(/\d+\.?\d*(?:e[-+]?\d+)?|\.\d+|\*\*|[-+*/%^()]|\S/gi) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const take = () => tokens[at++];
  const fail = (why: string): never => {
    throw new Error(`${why} in "${expression}"`);
  };
  const primary = (): number => {
    const t = take();
    if (t === undefined) return fail('unexpected end');
    if (t === '(') {
      const v = sum();
      if (take() !== ')') fail('missing ")"');
      return v;
    }
    if (t === '-') return -power();
    if (t === '+') return power();
    if (/^(\d|\.\d)/.test(t)) return Number(t);
    return fail(`unexpected "${t}"`);
  };
  const power = (): number => {
    const base = primary();
    if (peek() === '**' || peek() === '^') {
      take();
      return base ** power();
    }
    return base;
  };
  const product = (): number => {
    let v = power();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = take();
      const r = power();
      if ((op === '/' || op === '%') && r === 0) fail('division by zero');
      v = op === '*' ? v * r : op === '/' ? v / r : v % r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (peek() === '+' || peek() === '-') v = take() === '+' ? v + product() : v - product();
    return v;
  };
  if (tokens.length === 0) fail('empty expression');
  const value = sum();
  if (at < tokens.length) fail(`unexpected "${tokens[at]}"`);
  if (!Number.isFinite(value)) fail('result is not finite');
  return value;
}

/** A number as the calculator shows it: integers exactly, others rounded to 10 significant digits. */
export function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(10)));
}
