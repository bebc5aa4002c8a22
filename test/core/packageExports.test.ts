// The package entries: what each exports, and that every plugin's plain factory is reachable from `@mappa/sdk`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as root from '../../index.js';
import * as internals from '../../internals.js';
import * as plugin from '../../plugin.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Factories in plugin folders that are helpers, not a plugin's `create…(options)`. */
const NOT_PLUGIN_FACTORIES = new Set(['createTfOps', 'createOpenAIClient', 'createAnthropicClient']);

function pluginFactories(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((f) => {
      const p = `${dir}/${f}`;
      return statSync(join(ROOT, p)).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
    });
  const names = ['plugins', 'environments', 'coaches']
    .flatMap(walk)
    .flatMap((f) => [...readFileSync(join(ROOT, f), 'utf8').matchAll(/^export (?:async )?function (create[A-Z]\w*)/gm)].map((m) => m[1]!));
  return [...new Set(names)].filter((n) => !NOT_PLUGIN_FACTORIES.has(n)).sort();
}

describe('package entries', () => {
  it('@mappa/sdk exports every create… factory of the plugin folders', () => {
    const factories = pluginFactories();
    expect(factories.length).toBeGreaterThan(30);
    expect(factories.filter((n) => typeof (root as Record<string, unknown>)[n] !== 'function')).toEqual([]);
  });

  it('@mappa/sdk/plugin has the authoring API and zod, and no runner', () => {
    for (const n of ['definePlugin', 'defineEnvironment', 'defineCoach', 'defineTaskSource', 'pluginRef', 'z', 'TOKENS', 'MappaError', 'Rng', 'PLUGIN_KINDS']) {
      expect(plugin, n).toHaveProperty(n);
    }
    for (const n of ['Runner', 'createRun', 'EpisodeRunner', 'RunStore', 'createBuiltinRegistry']) expect(plugin, n).not.toHaveProperty(n);
  });

  it('@mappa/sdk keeps runner internals out of the root; @mappa/sdk/internals has them', () => {
    for (const n of ['EpisodeRunner', 'CoachScheduler', 'RunStore', 'buildExperiences', 'createRunContainer', 'atomicWriteFile']) {
      expect(root, n).not.toHaveProperty(n);
      expect(internals, n).toHaveProperty(n);
    }
    for (const n of ['loadPipelineFile', 'validatePipeline', 'createRun', 'Runner', 'checkPipelinePlugins', 'defineCoach', 'z']) expect(root, n).toHaveProperty(n);
  });

  it('package.json maps every entry for types, import, require and default, and ships the testing kit', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const entry of ['.', './plugin', './testing', './internals']) {
      expect(Object.keys(pkg.exports[entry]), entry).toEqual(['types', 'import', 'require', 'default']);
    }
    expect(pkg.exports['./testing'].import).toBe('./dist/testing/index.js');
    expect(pkg.files).toContain('dist');
    expect(pkg.peerDependenciesMeta.vitest.optional).toBe(true);
  });
});
