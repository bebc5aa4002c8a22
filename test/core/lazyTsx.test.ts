import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PROBE = join('test', 'fixtures', 'tsx-probe', 'register.mjs');
const run = (args: string[]) => promisify(execFile)(process.execPath, ['--import', `./${PROBE}`, 'bin/mappa.js', ...args]);

// tsx (esbuild) is only for TypeScript pipelines and plugin files; YAML pipelines with built-in plugins never load it.
describe('tsx loads only for TypeScript files', () => {
  it('validating a YAML pipeline loads no tsx module', async () => {
    const { stdout, stderr } = await run(['validate', 'examples/mathchat/pipeline.yaml']);
    expect(stdout + stderr).toMatch(/valid/i);
    expect(stderr).not.toContain('TSX-LOADED');
  });

  it('a pipeline with a TypeScript plugin file does load it (the probe sees it)', async () => {
    const { stderr } = await run(['validate', 'examples/custom-plugin/pipeline.yaml']);
    expect(stderr).toContain('TSX-LOADED tsx/esm/api');
  });
});
