import { Rational } from './Rational.js';

/** Syntax tree of a small arithmetic expression (numbers, + − × ÷, powers, parentheses, fractions). */
export type MathExpr =
  | { readonly type: 'num'; readonly value: Rational; /** The literal had a decimal point or exponent (a Python float). */ readonly isFloat: boolean }
  | { readonly type: 'neg'; readonly arg: MathExpr }
  | { readonly type: 'bin'; readonly op: BinaryOp; readonly left: MathExpr; readonly right: MathExpr };

export type BinaryOp = '+' | '-' | '*' | '/' | '^' | '//' | '%';

/**
 * `math`: answers as people and LaTeX write them (`\frac{1}{2}`, `2^{10}`, `1,000`, mixed numbers `3\frac{1}{2}`),
 * after `normalizeAnswer`. `python`: Python numeric expressions (`**`, `//`, `%` as modulo; no commas).
 */
export type ExpressionDialect = 'math' | 'python';

const MAX_LENGTH = 400;
const MAX_DEPTH = 40;

interface Token {
  readonly kind: 'num' | 'op' | 'open' | 'close' | 'frac';
  readonly text: string;
}

function tokenize(src: string, dialect: ExpressionDialect): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    // Thousands separators only in the math dialect, and only in well-formed groups (1,234,567), so `1,2` never parses.
    const num =
      (dialect === 'math' ? /^\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])/.exec(rest) : null) ??
      /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
    if (num) {
      tokens.push({ kind: 'num', text: num[0] });
      i += num[0].length;
      continue;
    }
    if (dialect === 'math' && rest.startsWith('\\frac')) {
      tokens.push({ kind: 'frac', text: '\\frac' });
      i += 5;
      continue;
    }
    const two = rest.slice(0, 2);
    if (two === '**') {
      tokens.push({ kind: 'op', text: '^' });
      i += 2;
      continue;
    }
    if (two === '//' && dialect === 'python') {
      tokens.push({ kind: 'op', text: '//' });
      i += 2;
      continue;
    }
    const c = src[i]!;
    if ('+-*/'.includes(c) || (c === '^' && dialect === 'math') || (c === '%' && dialect === 'python')) {
      tokens.push({ kind: 'op', text: c });
    } else if (c === '(' || (dialect === 'math' && (c === '{' || c === '['))) {
      tokens.push({ kind: 'open', text: c });
    } else if (c === ')' || (dialect === 'math' && (c === '}' || c === ']'))) {
      tokens.push({ kind: 'close', text: c });
    } else {
      throw new SyntaxError(`unexpected "${c}" at ${i}`);
    }
    i++;
  }
  return tokens;
}

const CLOSING: Record<string, string> = { '(': ')', '{': '}', '[': ']' };

class Parser {
  #pos = 0;
  #depth = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  parse(): MathExpr {
    const e = this.#expr();
    if (this.#pos !== this.tokens.length) throw new SyntaxError(`unexpected "${this.tokens[this.#pos]!.text}"`);
    return e;
  }

  #peek(): Token | undefined {
    return this.tokens[this.#pos];
  }

  #isOp(...ops: string[]): boolean {
    const t = this.#peek();
    return t?.kind === 'op' && ops.includes(t.text);
  }

  #enter(): void {
    if (++this.#depth > MAX_DEPTH) throw new SyntaxError('expression nested too deeply');
  }

  #expr(): MathExpr {
    this.#enter();
    let left = this.#term();
    while (this.#isOp('+', '-')) {
      const op = this.tokens[this.#pos++]!.text as BinaryOp;
      left = { type: 'bin', op, left, right: this.#term() };
    }
    this.#depth--;
    return left;
  }

  #term(): MathExpr {
    let left = this.#unary();
    while (this.#isOp('*', '/', '//', '%')) {
      const op = this.tokens[this.#pos++]!.text as BinaryOp;
      left = { type: 'bin', op, left, right: this.#unary() };
    }
    return left;
  }

  #unary(): MathExpr {
    if (this.#isOp('-', '+')) {
      const op = this.tokens[this.#pos++]!.text;
      this.#enter();
      const arg = this.#unary();
      this.#depth--;
      return op === '-' ? { type: 'neg', arg } : arg;
    }
    return this.#power();
  }

  /** Right-associative; binds tighter than unary minus on its left (`-2^2` = −4, as in Python and maths). */
  #power(): MathExpr {
    const base = this.#primary();
    if (this.#isOp('^')) {
      this.#pos++;
      this.#enter();
      const exponent = this.#unary();
      this.#depth--;
      return { type: 'bin', op: '^', left: base, right: exponent };
    }
    return base;
  }

  #primary(): MathExpr {
    const t = this.#peek();
    if (!t) throw new SyntaxError('unexpected end of expression');
    if (t.kind === 'num') {
      this.#pos++;
      const value = Rational.fromDecimal(t.text.replace(/,/g, ''));
      const node: MathExpr = { type: 'num', value, isFloat: /[.eE]/.test(t.text) };
      // A mixed number: an integer written directly before a fraction, `3\frac{1}{2}` = 3 + 1/2.
      if (this.#peek()?.kind === 'frac' && !node.isFloat) return { type: 'bin', op: '+', left: node, right: this.#primary() };
      return node;
    }
    if (t.kind === 'frac') {
      this.#pos++;
      const num = this.#fracArg();
      const den = this.#fracArg();
      return { type: 'bin', op: '/', left: num, right: den };
    }
    if (t.kind === 'open') {
      this.#pos++;
      this.#enter();
      const inner = this.#expr();
      this.#depth--;
      const close = this.#peek();
      if (close?.kind !== 'close' || close.text !== CLOSING[t.text]) throw new SyntaxError(`missing "${CLOSING[t.text]}"`);
      this.#pos++;
      return inner;
    }
    throw new SyntaxError(`unexpected "${t.text}"`);
  }

  /** `\frac` takes braced groups (`normalizeAnswer` rewrites the shorthand `\frac12`). */
  #fracArg(): MathExpr {
    const t = this.#peek();
    if (t?.kind === 'open' && t.text === '{') return this.#primary();
    throw new SyntaxError('\\frac needs two {…} arguments');
  }
}

/**
 * Parses an arithmetic expression into a syntax tree. Never evaluates code: only numbers, operators and brackets
 * are accepted, and anything else is a `SyntaxError`.
 */
export function parseMathExpression(text: string, dialect: ExpressionDialect = 'math'): MathExpr {
  if (text.length > MAX_LENGTH) throw new SyntaxError(`expression longer than ${MAX_LENGTH} characters`);
  const tokens = tokenize(text, dialect);
  if (tokens.length === 0) throw new SyntaxError('empty expression');
  return new Parser(tokens).parse();
}
