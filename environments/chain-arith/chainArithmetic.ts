/**
 * The arithmetic of a chain-arith task. A value is a string of digits (a "code"); stage i shifts every digit by its
 * operand: d → (d + operand_i) mod m. Digit-wise, so each output digit depends on one input digit — a map a tiny
 * transformer learns in seconds (whole-number modular addition takes a small transformer far longer to learn).
 */
export function applyStage(value: string, operand: number, modulus: number): string {
  return [...value].map((ch) => String((((Number(ch) + operand) % modulus) + modulus) % modulus)).join('');
}

/** The value after each stage, starting from `start` (so `values.at(-1)` is the answer). */
export function chainValues(start: string, operands: readonly number[], modulus: number): string[] {
  const out: string[] = [];
  let v = start;
  for (const a of operands) {
    v = applyStage(v, a, modulus);
    out.push(v);
  }
  return out;
}

/** The value an agent wrote: its first run of digits, or `undefined` when there is none. */
export function parseChainValue(text: string): string | undefined {
  return /\d+/.exec(text)?.[0];
}
