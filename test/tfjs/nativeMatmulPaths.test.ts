import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findMatmulAddon } from '../../plugins/tfjs/nativeMatmul.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

/** Runs the hf-tiny golden checks (logits, log-probs, gradients, greedy decoding vs transformers) in a child vitest. */
function goldenWith(value: '0' | '1'): string {
  // A failing check makes vitest exit non-zero, which throws here with its output.
  return execFileSync(process.execPath, [vitest, 'run', 'test/tfjs/goldenFixtures.test.ts', '--reporter=dot'], {
    cwd: root,
    env: { ...process.env, MAPPA_NATIVE_MATMUL: value, NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
}

describe('hf-tiny golden fixtures on both BatchMatMul paths', () => {
  // CI installs g++ and libopenblas-dev, so the addon must be there; elsewhere a missing build skips the native run.
  it.runIf(Boolean(findMatmulAddon()) || Boolean(process.env['CI']))('match transformers with the OpenBLAS kernel forced on (MAPPA_NATIVE_MATMUL=1)', () => {
    expect(goldenWith('1')).toMatch(/Tests\s+\S*17 passed/);
  });

  it("match transformers with tfjs's wasm kernel forced (MAPPA_NATIVE_MATMUL=0)", () => {
    expect(goldenWith('0')).toMatch(/Tests\s+\S*17 passed/);
  });
});
