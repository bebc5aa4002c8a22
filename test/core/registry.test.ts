import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { loadPluginModule, pluginsFromModule } from '../../core/plugins/loadPluginModule.js';
import { PluginRegistry } from '../../core/plugins/PluginRegistry.js';
import { loadPipelineFile } from '../../core/pipeline/loadPipelineFile.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';

const EXAMPLE = resolve('examples/custom-plugin');

describe('plugin registry', () => {
  const coach = definePlugin({
    kind: 'coach',
    name: 'demo',
    description: 'd',
    configSchema: z.strictObject({}),
    create: async () => ({ name: 'demo', scope: 'action' as const, evaluate: async () => ({ score: 1, rationale: '', raw: '', coach: 'demo', flags: { repaired: false, fallback: false, cached: false } }) }),
  });

  it('registers by kind and name, lists sorted, and suggests close names', () => {
    const r = new PluginRegistry();
    r.register(coach, 'test');
    expect(r.get('coach', 'demo')?.source).toBe('test');
    expect(r.get('policy', 'demo')).toBeUndefined();
    expect(r.suggest('coach', 'dmeo')).toBe('demo');
    expect(r.suggest('coach', 'completely-different')).toBeUndefined();
    expect(r.kindsOf('demo')).toEqual(['coach']);
  });

  it('refuses two plugins of one kind with the same name from different sources', () => {
    const r = new PluginRegistry();
    r.register(coach, 'a');
    expect(() => r.register(coach, 'b')).toThrow(/Two coach plugins are named "demo" \(a and b\)/);
  });

  it('finds definitions among a module\'s exports', () => {
    expect(pluginsFromModule({ default: coach, other: 3, list: [coach] })).toEqual([coach]);
  });

  it('built-ins include every kind the foundation ships', () => {
    const names = createBuiltinRegistry().list().map((d) => `${d.kind}:${d.name}`);
    expect(names).toEqual(expect.arrayContaining(['policy:openai-compatible', 'policy:scripted', 'tasks:inline', 'tasks:jsonl', 'coach:constant']));
  });

  it('loads a TypeScript plugin by path and reports a missing file or package clearly', async () => {
    const defs = await loadPluginModule('./wordCountEnvironment.ts', EXAMPLE);
    expect(defs.map((d) => `${d.kind}:${d.name}`)).toEqual(['environment:word-count']);
    await expect(loadPluginModule('./nope.ts', EXAMPLE)).rejects.toThrow(/plugin file not found: .*nope\.ts/);
    await expect(loadPluginModule('mappa-plugin-that-does-not-exist', EXAMPLE)).rejects.toThrow(/could not load plugin package "mappa-plugin-that-does-not-exist"/);
  });

  it('runs the custom-plugin example pipeline end to end', async () => {
    const { pipeline } = await loadPipelineFile(join(EXAMPLE, 'pipeline.yaml'), createBuiltinRegistry());
    const runDir = await mkdtemp(join(tmpdir(), 'mappa-custom-'));
    try {
      const run = await createRun({ pipeline, runDir, logger: silentLogger });
      const summary = await run.runner.train({ train: false });
      await run.dispose();
      // The scripted counter always answers 4: right for "the quick brown fox", wrong for "hello world".
      expect(summary.metrics[0]!['eval/accuracy']).toBe(0.5);
      expect(summary.metrics.at(-1)!['train/success_rate']).toBe(1);
    } finally {
      await rm(runDir, { recursive: true, force: true });
    }
  });
});
