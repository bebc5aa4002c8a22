import { readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { pipelineJsonSchema } from '../../core/pipeline/pipelineJsonSchema.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  process.exitCode = undefined;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('mappa CLI', () => {
  it('validate prints every problem of the broken example by path and exits 2', async () => {
    const code = await main(['validate', 'examples/broken-pipeline.yaml']);
    expect(code).toBe(2);
    for (const path of ['name:', 'tasks.use:', 'policies.remote.apiKey:', 'policies.solver.use:', 'agents[0].prompt:', 'agents[1].maxActoins:', 'agents[1].policy:', 'agents[1].reads:', 'coach.score:', 'run.steps:']) {
      expect(err).toContain(`  - ${path}`);
    }
    expect(err).toContain('did you mean "maxActions"?');
    expect(err).not.toContain('sk-not-a-real-key');
  });

  it('validate accepts the custom-plugin example', async () => {
    expect(await main(['validate', 'examples/custom-plugin/pipeline.yaml'])).toBe(0);
    expect(out).toContain('valid');
    expect(out).toContain('counter (Word Counter, policy counter)');
  });

  it('plugins --json lists plugins with their config fields', async () => {
    expect(await main(['plugins', '--json'])).toBe(0);
    const rows = JSON.parse(out) as Array<{ kind: string; name: string; fields: Array<{ name: string }> }>;
    const oc = rows.find((r) => r.name === 'openai-compatible')!;
    expect(oc.kind).toBe('policy');
    expect(oc.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['baseURL', 'model', 'apiKeyEnv']));
  });

  it('rejects unknown commands with exit 2', async () => {
    expect(await main(['frobnicate'])).toBe(2);
  });

  it('the committed JSON Schema matches the plugins (run `npm run schema` after changing a config)', async () => {
    const committed = JSON.parse(await readFile('schema/pipeline.schema.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(pipelineJsonSchema(createBuiltinRegistry()))));
  });

  it('the installed bin runs the compiled CLI', async () => {
    vi.restoreAllMocks();
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/mappa.js', '--help']);
    expect(stdout).toContain('Usage: mappa');
    expect(stdout).toContain('validate');
  });
});
