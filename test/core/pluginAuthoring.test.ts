import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineCoach, defineEnvironment, definePlugin, defineTaskSource, z } from '@mappa/sdk/plugin';
import {
  agentSpec,
  createPluginInstance,
  describeCoachConformance,
  describeEnvironmentConformance,
  describeTaskSourceConformance,
  sampleCoachInput,
} from '@mappa/sdk/testing';
import { main } from '../../cli/main.js';
import { loadPluginModule, pluginsFromModule } from '../../core/plugins/loadPluginModule.js';

const lengthFacts = z.object({ words: z.number().int() });

const wordsEnvironment = defineEnvironment({
  name: 'words',
  description: 'Correct when the answer is the number of words.',
  config: z.strictObject({ tolerance: z.number().int().default(0) }),
  facts: lengthFacts,
  episode: (task, { config }) => {
    const expected = task.prompt.split(/\s+/).length;
    return {
      coachFacts: (_agent, action) => ({ words: action.text.split(/\s+/).length }),
      evaluate: (turns) => {
        const answer = Number([...turns.values()].at(-1)?.output);
        return { success: Number.isFinite(answer), correct: Math.abs(answer - expected) <= config.tolerance, metrics: {} };
      },
    };
  },
});

const brevityCoach = defineCoach({
  name: 'brevity',
  description: 'Short actions score high.',
  config: z.strictObject({ maxWords: z.number().int().default(10) }),
  facts: lengthFacts,
  score: ({ facts }, config) => ({ score: facts.words <= config.maxWords ? 10 : 2, rationale: `${facts.words} words` }),
});

const tasks = defineTaskSource({
  name: 'count-tasks',
  description: 'Three sentences.',
  tasks: () => [{ id: 'a', prompt: 'one two' }, { id: 'b', prompt: 'one two three' }, { id: 'c', prompt: 'x', split: 'test' }],
});

describeEnvironmentConformance('defineEnvironment (words)', {
  create: () => createPluginInstance(wordsEnvironment, { tolerance: 0 }),
  task: { id: 't', split: 'train', prompt: 'how many words here', metadata: {} },
  agents: [agentSpec({ id: 'counter' })],
  plainAction: '4',
  correctOutput: '4',
});
describeCoachConformance('defineCoach (brevity)', {
  create: () => createPluginInstance(brevityCoach),
  input: sampleCoachInput({ extras: { words: 3 } }),
  deterministic: true,
});
describeTaskSourceConformance('defineTaskSource (count-tasks)', { create: () => createPluginInstance(tasks), splits: ['train', 'test'] });

describe('plugin authoring helpers', () => {
  it('a rule coach returns score and rationale; the runtime fills raw, coach and flags', async () => {
    const coach = await createPluginInstance(brevityCoach, { maxWords: 2 });
    const e = await coach.evaluate(sampleCoachInput({ extras: { words: 3 } }));
    expect(e).toEqual({ score: 2, rationale: '3 words', raw: '', coach: 'brevity', flags: { repaired: false, fallback: false, cached: false } });
  });

  it('a coach given facts it cannot read fails naming the field; a score outside 0–10 is an error', async () => {
    const coach = await createPluginInstance(brevityCoach);
    await expect(coach.evaluate(sampleCoachInput({ extras: { wordz: 3 } }))).rejects.toThrow(/coach "brevity" got environment facts it cannot read[\s\S]*words/);
    const wild = await createPluginInstance(defineCoach({ name: 'wild', description: '', score: () => ({ score: 11, rationale: '' }) }));
    await expect(wild.evaluate(sampleCoachInput())).rejects.toThrow('returned score 11');
  });

  it('an environment whose coach facts break its schema fails; defaults give ground truth and no tools', async () => {
    const env = await createPluginInstance(
      defineEnvironment({ name: 'liar', description: '', facts: lengthFacts, episode: () => ({ coachFacts: () => ({ words: 'many' }) as never, evaluate: () => ({ success: true, metrics: {} }) }) }),
    );
    const ep = await env.createEpisode({ id: 't', split: 'train', prompt: 'p', groundTruth: 42, metadata: {} }, { episodeId: 'e', seed: 1, phase: 'train', workDir: '/tmp', signal: new AbortController().signal });
    expect(ep.groundTruth()).toBe(42);
    expect(await ep.executeTools(agentSpec({ id: 'a' }), { text: 'x', index: 0 })).toBeUndefined();
    await expect(ep.coachContext(agentSpec({ id: 'a' }), sampleCoachInput().actionRecord, [])).rejects.toThrow(/environment "liar" gave coach facts/);
  });

  it('a task source with a duplicate id fails', async () => {
    const dup = await createPluginInstance(defineTaskSource({ name: 'dup', description: '', tasks: () => [{ id: 'a', prompt: '' }, { id: 'a', prompt: '' }] }));
    await expect(dup.tasks('train')).rejects.toThrow('two tasks with id "a"');
  });

  it('create() returning an object without the contract method fails naming the method and the contract', async () => {
    const bad = definePlugin({ kind: 'environment', name: 'bad-env', description: '', configSchema: z.strictObject({}), create: () => ({ name: 'bad-env' }) as never });
    await expect(createPluginInstance(bad)).rejects.toThrow('environment plugin "bad-env": create() returned an object that has no method "createEpisode"');
  });

  it('an export shaped like a plugin with an unknown kind is an error listing the kinds', () => {
    const misfiled = { ...brevityCoach, kind: 'coaches' };
    expect(() => pluginsFromModule({ misfiled })).toThrow(/"brevity" has kind "coaches"/);
    try {
      pluginsFromModule({ misfiled });
    } catch (err) {
      expect((err as { hint: string }).hint).toContain('coach, environment');
    }
  });

  it('loads an installed package whose entry is TypeScript, and says when it cannot load an installed one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-pkgname-'));
    try {
      await mkdir(join(dir, 'node_modules', 'ts-plugins'), { recursive: true });
      await writeFile(join(dir, 'package.json'), '{}');
      await writeFile(join(dir, 'node_modules', 'ts-plugins', 'package.json'), JSON.stringify({ name: 'ts-plugins', main: 'index.ts' }));
      const schema = '{ safeParse: () => ({ success: true, data: {} }) }';
      await writeFile(
        join(dir, 'node_modules', 'ts-plugins', 'index.ts'),
        `const schema: object = ${schema};\nexport const p = { kind: 'tasks', name: 'ts-tasks', description: '', configSchema: schema, create: async () => ({}), containerModule: () => ({}) };\n`,
      );
      expect((await loadPluginModule('ts-plugins', dir)).map((d) => d.name)).toEqual(['ts-tasks']);
      await writeFile(join(dir, 'node_modules', 'ts-plugins', 'index.ts'), 'export const = broken;\n');
      await expect(loadPluginModule('ts-plugins', dir)).rejects.toThrow(/could not load plugin package "ts-plugins" \(.*index\.ts\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds plugins in a CommonJS module object (a .ts plugin in a package without "type": "module")', () => {
    expect(pluginsFromModule({ default: { brevityCoach, tasks, helper: () => 1 } })).toEqual([brevityCoach, tasks]);
  });
});

describe('mappa validate on plugin files', () => {
  let out = '';
  let err = '';
  beforeEach(() => {
    out = '';
    err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('--deep creates every plugin and names the missing method; without it the file is statically valid', async () => {
    expect(await main(['validate', 'test/fixtures/plugin-authoring/brokenCoach.yaml'])).toBe(0);
    expect(await main(['validate', '--deep', 'test/fixtures/plugin-authoring/brokenCoach.yaml'])).toBe(2);
    expect(err).toContain('coach: coach plugin "broken-coach": create() returned an object that has no method "evaluate"');
    expect(err).toContain('core/contracts/Coach.ts');
  });

  it('--deep accepts the custom-plugin example', async () => {
    expect(await main(['validate', '--deep', 'examples/custom-plugin/pipeline.yaml'])).toBe(0);
    expect(out).toContain('every plugin created and checked');
  });

  it('a plugin file exporting kind "coaches" is reported at plugins[0] with the list of kinds', async () => {
    expect(await main(['validate', 'test/fixtures/plugin-authoring/wrongKind.yaml'])).toBe(2);
    expect(err).toContain('plugins[0]: ./wrongKind.ts: unknown plugin kind: "misfiled" has kind "coaches"');
    expect(err).toContain('kind must be one of: policy, coach, environment');
  });
});
