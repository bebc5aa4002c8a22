const abs = (x: bigint) => (x < 0n ? -x : x);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** An exact rational number (BigInt numerator and positive denominator, always in lowest terms). */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    this.num = num;
    this.den = den;
  }

  static of(num: bigint | number, den: bigint | number = 1n): Rational {
    let n = BigInt(num);
    let d = BigInt(den);
    if (d === 0n) throw new RangeError('Rational: zero denominator');
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d);
    return g > 1n ? new Rational(n / g, d / g) : new Rational(n, d);
  }

  static readonly ZERO = Rational.of(0n);
  static readonly ONE = Rational.of(1n);

  /** Parses a plain decimal literal such as `12`, `-0.25`, `.5` or `1.5e-3` (no thousands separators). */
  static fromDecimal(text: string): Rational {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new SyntaxError(`not a decimal: ${text}`);
    const frac = m[3] ?? '';
    let num = BigInt((m[2] || '0') + frac);
    let den = 10n ** BigInt(frac.length);
    const exp = m[4] ? Number(m[4]) : 0;
    if (Math.abs(exp) > 400) throw new RangeError(`exponent too large: ${text}`);
    if (exp > 0) num *= 10n ** BigInt(exp);
    if (exp < 0) den *= 10n ** BigInt(-exp);
    return Rational.of(m[1] === '-' ? -num : num, den);
  }

  add(o: Rational): Rational {
    return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  sub(o: Rational): Rational {
    return Rational.of(this.num * o.den - o.num * this.den, this.den * o.den);
  }

  mul(o: Rational): Rational {
    return Rational.of(this.num * o.num, this.den * o.den);
  }

  div(o: Rational): Rational {
    if (o.num === 0n) throw new RangeError('division by zero');
    return Rational.of(this.num * o.den, this.den * o.num);
  }

  neg(): Rational {
    return Rational.of(-this.num, this.den);
  }

  /** Integer powers only; the caller bounds the exponent so results stay small. */
  pow(exp: bigint): Rational {
    if (exp === 0n) return Rational.ONE;
    if (exp < 0n) {
      if (this.num === 0n) throw new RangeError('division by zero');
      return Rational.of(this.den ** -exp, this.num ** -exp);
    }
    return Rational.of(this.num ** exp, this.den ** exp);
  }

  isInteger(): boolean {
    return this.den === 1n;
  }

  equals(o: Rational): boolean {
    return this.num === o.num && this.den === o.den;
  }

  /** Bits needed for numerator and denominator (used to refuse huge intermediate values). */
  bitLength(): number {
    return abs(this.num).toString(2).length + this.den.toString(2).length;
  }

  toNumber(): number {
    return Number(this.num) / Number(this.den);
  }

  /** `7`, `-3/4`. */
  toString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }

  /** Exact decimal text when the denominator has only factors 2 and 5 (e.g. `1.25`), otherwise undefined. */
  toTerminatingDecimal(): string | undefined {
    let d = this.den;
    let twos = 0;
    let fives = 0;
    while (d % 2n === 0n) {
      d /= 2n;
      twos++;
    }
    while (d % 5n === 0n) {
      d /= 5n;
      fives++;
    }
    if (d !== 1n) return undefined;
    const places = Math.max(twos, fives);
    if (places === 0) return this.num.toString();
    const scaled = abs(this.num) * 10n ** BigInt(places) / this.den;
    const digits = scaled.toString().padStart(places + 1, '0');
    const text = `${digits.slice(0, -places)}.${digits.slice(-places)}`.replace(/0+$/, '').replace(/\.$/, '');
    return (this.num < 0n ? '-' : '') + text;
  }
}
