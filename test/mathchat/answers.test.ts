import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { answersEquivalent } from '../../environments/mathchat/answers/answersEquivalent.js';
import { evaluateRational } from '../../environments/mathchat/answers/evaluateRational.js';
import { extractBoxed } from '../../environments/mathchat/answers/extractBoxed.js';
import { expressionBeforeEquals, finalNumber, printedNumber } from '../../environments/mathchat/answers/numbersInText.js';
import { parseAnswer } from '../../environments/mathchat/answers/parseAnswer.js';
import { parseMathExpression } from '../../environments/mathchat/answers/parseMathExpression.js';
import { evaluatePython, pythonFloatRepr, pythonRepr } from '../../environments/mathchat/answers/pythonArithmetic.js';
import { Rational } from '../../environments/mathchat/answers/Rational.js';

describe('extractBoxed', () => {
  it.each([
    ['The answer is \\boxed{42}.', '42'],
    ['\\boxed{1} then \\boxed{2}', '2'],
    ['**\\boxed{\\frac{1}{2}}**', '\\frac{1}{2}'],
    ['\\boxed{\\dfrac{\\sqrt{3}}{2}}', '\\dfrac{\\sqrt{3}}{2}'],
    ['nested \\boxed{ {a}+{b} }', '{a}+{b}'],
    ['escaped \\boxed{\\{1,2\\}}', '\\{1,2\\}'],
    ['first \\boxed{7} then truncated \\boxed{8', '7'],
    ['tex style $\\boxed 9$', '9'],
    ['\\fbox{5}', '5'],
    ['no box here: 42', undefined],
    ['\\boxed{unclosed', undefined],
    ['\\boxedx{3}', undefined],
  ])('%s → %s', (text, expected) => {
    expect(extractBoxed(text)).toBe(expected);
  });
});

describe('answersEquivalent', () => {
  it.each([
    ['0.5', '1/2'],
    ['\\frac{1}{2}', '0.5'],
    ['\\dfrac{1}{2}', '1/2'],
    ['\\tfrac12', '0.5'],
    ['\\frac{3}{4}', '0.75'],
    ['4.0', '4'],
    ['4.000', '4'],
    ['-0', '0'],
    ['1,000', '1000'],
    ['1,234,567', '1234567'],
    ['1{,}000', '1000'],
    ['1\\,000', '1000'],
    ['$42$', '42'],
    ['\\$5', '5'],
    ['42.', '42'],
    ['x = 5', '5'],
    ['12 apples', '12'],
    ['\\text{12}', '12'],
    ['90^\\circ', '90'],
    ['90^{\\circ}', '90'],
    ['50\\%', '50'],
    ['50%', '0.5'],
    ['2^{10}', '1024'],
    ['2**3', '8'],
    ['3\\cdot 4', '12'],
    ['3 \\times 4', '12'],
    ['7 \\div 2', '3.5'],
    ['(1+2)*3', '9'],
    ['-\\frac{3}{4}', '-0.75'],
    ['\\left(\\frac{1}{2}\\right)', '0.5'],
    ['3\\frac{1}{2}', '7/2'],
    ['1.5e3', '1500'],
    ['1e-05', '0.00001'],
    ['\\boxed{204}', '204'],
    ['(B)', 'B'],
    ['\\text{(C)}', 'c'],
    ['\\sqrt{2}', '\\sqrt{2}'],
    [' 7 ', 7],
  ])('%s ≡ %s', (a, b) => {
    expect(answersEquivalent(a, b as string)).toBe(true);
    expect(answersEquivalent(b as string, a)).toBe(true);
  });

  it.each([
    ['0.333', '1/3'],
    ['0.33333333', '1/3'],
    ['1,2', '12'],
    ['5', '6'],
    ['-5', '5'],
    ['\\frac{1}{2}', '\\frac{1}{3}'],
    ['50%', '5'],
    ['\\sqrt{2}', '\\sqrt{3}'],
    ['', ''],
    ['3x', '3'],
    ['2^{10000000}', '2'],
    ['1/0', '0'],
  ])('%s ≢ %s', (a, b) => {
    expect(answersEquivalent(a, b)).toBe(false);
  });

  it('accepts a relative tolerance when asked', () => {
    expect(answersEquivalent('0.3333', '1/3', { relTol: 1e-3 })).toBe(true);
    expect(answersEquivalent('0.3333', '1/3', { relTol: 1e-6 })).toBe(false);
  });
});

describe('safe expression parser', () => {
  it.each([
    "__import__('os').system('echo hi')",
    'print(1)',
    'open("/etc/passwd")',
    'a+1',
    '1;2',
    '[1,2][0]',
    '((((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))))))',
    '1'.repeat(500),
  ])('rejects %s', (src) => {
    expect(() => parseMathExpression(src, 'python')).toThrow();
  });

  it('refuses huge powers instead of hanging', () => {
    const t0 = performance.now();
    expect(() => evaluateRational(parseMathExpression('9^9^9'))).toThrow(RangeError);
    expect(() => evaluateRational(parseMathExpression('10^5000'))).toThrow(RangeError);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('follows precedence and associativity', () => {
    const v = (s: string) => evaluateRational(parseMathExpression(s)).toString();
    expect(v('2+3*4')).toBe('14');
    expect(v('(2+3)*4')).toBe('20');
    expect(v('2^3^2')).toBe('512');
    expect(v('-2^2')).toBe('-4');
    expect(v('8/4/2')).toBe('1');
    expect(v('1-2-3')).toBe('-4');
    expect(v('2^-1')).toBe('1/2');
    expect(v('\\frac{1+1}{4}')).toBe('1/2');
  });

  it('reads answers as exact rationals or text', () => {
    const p = parseAnswer('\\frac{6}{8}');
    expect(p.kind).toBe('number');
    if (p.kind === 'number') expect(p.value.toString()).toBe('3/4');
    expect(parseAnswer('\\sqrt{2}').kind).toBe('text');
    expect(parseAnswer('25\\%')).toMatchObject({ kind: 'number', percent: true });
  });
});

describe('Rational', () => {
  it('keeps lowest terms and a positive denominator', () => {
    expect(Rational.of(6, -8).toString()).toBe('-3/4');
    expect(Rational.fromDecimal('-0.125').toString()).toBe('-1/8');
    expect(Rational.of(5, 4).toTerminatingDecimal()).toBe('1.25');
    expect(Rational.of(1, 3).toTerminatingDecimal()).toBeUndefined();
    expect(() => Rational.of(1, 0)).toThrow();
  });
});

describe('numbers in text', () => {
  it.each([
    ['37+45=82', '82', '37+45'],
    ['12+3*4 = 24.', '24', '12+3*4'],
    ['So the total is 12+3*4=24', '24', '12+3*4'],
    ['I think 17', '17', undefined],
    ['1/2+3/4=5/4', '5/4', '1/2+3/4'],
    ['the answer is \\boxed{9}', '9', undefined],
    ['nothing', undefined, undefined],
    ['37+45', undefined, undefined],
    ['5/4', '5/4', undefined],
    ['-8', '-8', undefined],
  ])('%s → answer %s, expression %s', (text, answer, expr) => {
    expect(finalNumber(text)).toBe(answer);
    expect(expressionBeforeEquals(text)).toBe(expr);
  });

  it('reads the last printed number', () => {
    expect(printedNumber('82\n')).toBe('82');
    expect(printedNumber('step 1\nresult: 4.0\n')).toBe('4.0');
    expect(printedNumber('\n\n')).toBeUndefined();
  });
});

describe('Python arithmetic emulation', () => {
  const exprs = ['37+45', '7/2', '8/2', '1/3', '12/8+1/4', '3/8*5', '2**10', '2**-2', '-7//2', '-7%3', '7.5//2', '1e-5*1', '10**16/1', '0.1+0.2', '37/45', '100000000000000000000/3', '2.5*4', '-1/8'];

  it('predicts what python3 prints', () => {
    const script = exprs.map((e) => `print(${e})`).join('\n');
    const real = execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }).trim().split('\n');
    const ours = exprs.map((e) => pythonRepr(evaluatePython(parseMathExpression(e, 'python'))));
    expect(ours).toEqual(real);
  });

  it('formats floats like repr()', () => {
    expect(pythonFloatRepr(4)).toBe('4.0');
    expect(pythonFloatRepr(1e16)).toBe('1e+16');
    expect(pythonFloatRepr(0.0001)).toBe('0.0001');
    expect(pythonFloatRepr(0.00001)).toBe('1e-05');
    expect(pythonFloatRepr(-0)).toBe('-0.0');
  });
});
