import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../../core/pipeline/applyOverrides.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPipelineFile } from '../../core/pipeline/loadPipelineFile.js';
import { RopeTables } from '../../plugins/policies/tfjs-transformer/rope.js';

/* Issue 18 item 11: configuration values must not decide how much memory or time goes into tables and parsing. */

describe('memory and time bounded by use, not by config (issue 18 item 11)', () => {
  it('rotary tables grow with the positions used, not with max_position_embeddings', () => {
    const invFreq = Float32Array.from({ length: 32 }, (_, i) => 1 / 10000 ** ((2 * i) / 64));
    const before = process.memoryUsage().arrayBuffers;
    const rope = new RopeTables(64, 1_000_000, invFreq);
    const { cos } = rope.gather([0, 1, 4095]);
    expect(cos.length).toBe(3 * 64);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
    // The values are the same as a table computed in full.
    const small = new RopeTables(64, 4096, invFreq);
    expect(Array.from(rope.gather([4095]).sin)).toEqual(Array.from(small.gather([4095]).sin));
    expect(() => rope.gather([1_000_000])).toThrow(/beyond the rotary table/);
  });

  it('--set with a huge array index is refused instead of allocating it', () => {
    const raw = { agents: [{ id: 'a' }] };
    expect(() => applyOverrides(raw, ['agents[99999999].x=1'])).toThrow(/agents\[99999999\].*past the end/);
    expect(applyOverrides(raw, ['agents[1].id=b'])).toEqual({ agents: [{ id: 'a' }, { id: 'b' }] });
  });

  it('a YAML mapping of 20,000 keys parses in linear time, and duplicate keys are still reported', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-yaml-'));
    try {
      let text = 'name: big\nrun:\n  extra:\n';
      for (let i = 0; i < 20_000; i++) text += `    key${i}: ${i}\n`;
      await writeFile(join(dir, 'big.yaml'), text);
      await writeFile(join(dir, 'dup.yaml'), 'a: 1\nb: 2\na: 3\n');
      const t0 = performance.now();
      const raw = (await readPipelineFile(join(dir, 'big.yaml'))) as { run: { extra: Record<string, number> } };
      const ms = performance.now() - t0;
      expect(Object.keys(raw.run.extra)).toHaveLength(20_000);
      // Quadratic key checking took about 16 s here; linear parsing about 1 s on the loaded 2-core VM.
      expect(ms).toBeLessThan(8_000);
      await expect(readPipelineFile(join(dir, 'dup.yaml'))).rejects.toThrow(/duplicate key "a"/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
