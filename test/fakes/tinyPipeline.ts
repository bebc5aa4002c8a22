import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const TINY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tiny-pipeline');

/** A 3-agent chain on fake plugins; overrides are merged shallowly per section. */
export function tinyPipeline(overrides: Record<string, unknown> = {}): Record<string, any> {
  const tasks = Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, prompt: `pick ${i % 10}`, answer: i % 10, split: i < 4 ? 'train' : 'test' }));
  const base: Record<string, any> = {
    name: 'tiny',
    seed: 7,
    tasks: { use: 'inline', tasks },
    environment: { use: 'fake-env' },
    policies: { a: { use: 'fake-policy' }, b: { use: 'fake-policy', toolEvery: 2 }, c: { use: 'fake-policy' } },
    agents: [
      { id: 'solver', role: 'Problem Solver', policy: 'a', prompt: 'prompts/agent.liquid' },
      { id: 'coder', role: 'Code Executor', policy: 'b', prompt: 'prompts/agent.liquid', tools: ['python'], maxActions: 2 },
      { id: 'verifier', role: 'Verifier', policy: 'c', prompt: 'prompts/agent.liquid' },
    ],
    coach: { use: 'fake-coach' },
    trainer: { use: 'fake-trainer' },
    run: { steps: 2, tasksPerStep: 3, samplesPerTask: 2, concurrency: 4, eval: { every: 1 }, checkpointEvery: 1, report: false },
  };
  for (const [k, v] of Object.entries(overrides)) {
    base[k] = v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object' && !Array.isArray(base[k]) ? { ...base[k], ...v } : v;
  }
  return base;
}
