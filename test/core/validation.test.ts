import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

async function validate(raw: unknown) {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakePlugins().defs, 'test');
  return validatePipeline(raw, { registry, baseDir: TINY_DIR });
}

async function issuesOf(raw: unknown) {
  const r = await validate(raw);
  if (r.ok) throw new Error('expected problems');
  return r.issues;
}

describe('pipeline validation', () => {
  it('accepts the tiny pipeline and resolves agents in order with defaults', async () => {
    const r = await validate(tinyPipeline());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.pipeline.agents.map((a) => a.id)).toEqual(['solver', 'coder', 'verifier']);
    expect(r.pipeline.agents.map((a) => a.reads)).toEqual([[], ['solver'], ['coder']]);
    // Only the final agent's coach sees ground truth by default.
    expect(r.pipeline.agents.map((a) => a.coachSeesGroundTruth)).toEqual([false, false, true]);
    expect(r.pipeline.agents[0]!.promptFile).toBe(join(TINY_DIR, 'prompts/agent.liquid'));
    expect(r.pipeline.spec.rewards.scale).toBe(0.1);
    expect(r.pipeline.spec.run.eval.sampling).toEqual({ greedy: true });
  });

  it('lists several problems at once, each by path, with hints', async () => {
    const raw = tinyPipeline();
    raw.policies.a.use = 'fake-polcy';
    raw.agents[1].maxActoins = 3;
    raw.agents[2].policy = 'cc';
    raw.coach = { use: 'fake-coach', extra: 1 };
    raw.run.steps = 'ten';
    const issues = await issuesOf(raw);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath['policies.a.use']).toMatchObject({ message: 'unknown policy plugin "fake-polcy"', hint: 'did you mean "fake-policy"?' });
    expect(byPath['agents[1].maxActoins']).toMatchObject({ message: 'unknown field "maxActoins"', hint: 'did you mean "maxActions"?' });
    expect(byPath['agents[2].policy']?.message).toBe('unknown policy "cc"');
    expect(byPath['coach.extra']?.message).toBe('unknown field "extra"');
    expect(byPath['run.steps']).toBeDefined();
    expect(issues).toHaveLength(5);
  });

  it('names the right kind when a plugin of another kind is used', async () => {
    const raw = tinyPipeline({ coach: { use: 'fake-env' } });
    const issues = await issuesOf(raw);
    expect(issues[0]).toMatchObject({ path: 'coach.use', hint: '"fake-env" is a environment plugin, not a coach plugin' });
  });

  it('detects cycles, self-reads and unknown reads in the agent graph', async () => {
    const raw = tinyPipeline();
    raw.agents[0].reads = ['verifier'];
    raw.agents[1].reads = ['coder', 'nobody', 'solver'];
    const issues = await issuesOf(raw);
    const messages = issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toContain('agents[1].reads[0]: agent "coder" cannot read its own output');
    expect(messages).toContain('agents[1].reads[1]: unknown agent "nobody"');
    expect(messages.some((m) => /cycle: .*solver.*coder.*verifier|cycle: .*coder.*verifier.*solver|cycle: .*verifier.*solver.*coder/.test(m))).toBe(true);
  });

  it('refuses a trainer on a policy that cannot be trained, and says why', async () => {
    const raw = tinyPipeline();
    raw.policies.c = { use: 'openai-compatible', model: 'm', baseURL: 'http://127.0.0.1:9/v1' };
    const issues = await issuesOf(raw);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('agents[2].policy');
    expect(issues[0]!.message).toMatch(/cannot train policy "c" \(openai-compatible\): its weights live on the remote server/);
    // Not training that agent makes the pipeline valid.
    raw.agents[2].train = false;
    expect((await validate(raw)).ok).toBe(true);
  });

  it('accepts trainer: external on openai-compatible policies, and says what is missing', async () => {
    const raw = tinyPipeline({ trainer: { use: 'external', command: 'python3 train.py --meta {meta} --weights {weights} --out {out}' } });
    for (const id of ['a', 'b', 'c']) raw.policies[id] = { use: 'openai-compatible', model: id, baseURL: 'http://127.0.0.1:9/v1', returnTokenIds: true, weights: `w/${id}` };
    expect((await validate(raw)).ok).toBe(true);
    delete raw.policies.b.weights;
    raw.policies.c.returnTokenIds = false;
    const issues = await issuesOf(raw);
    expect(issues.map((i) => i.path)).toEqual(['policies.b.weights', 'policies.c.returnTokenIds']);
    expect(issues[0]!.message).toMatch(/trainer "external" needs `weights` on policy "b": the directory of the weights the server starts from/);
    expect(issues[1]!.message).toMatch(/needs `returnTokenIds: true` on policy "c"/);
  });

  it('refuses trainer: external on policies it cannot train, and a trainer with no command', async () => {
    const raw = tinyPipeline({ trainer: { use: 'external', command: 'python3 train.py' } });
    const issues = await issuesOf(raw);
    expect(issues.map((i) => i.path)).toEqual(['agents[0].policy', 'agents[1].policy', 'agents[2].policy']);
    expect(issues[0]!.message).toMatch(/trainer "external" cannot train policy "a" \(fake-policy\): it trains policies served by a server that can reload weights/);
    const none = await issuesOf(tinyPipeline({ trainer: { use: 'external', settings: { lr: -1 } } }));
    expect(none.map((i) => i.path)).toEqual(expect.arrayContaining(['trainer.command', 'trainer.settings.lr']));
  });

  it('rejects secrets written in the file without echoing them', async () => {
    const raw = tinyPipeline();
    raw.policies.c = { use: 'openai-compatible', model: 'm', apiKey: 'sk-secret-value-123456' };
    raw.agents[2].train = false;
    const issues = await issuesOf(raw);
    expect(issues.map((i) => i.path)).toEqual(['policies.c.apiKey']);
    expect(JSON.stringify(issues)).not.toContain('sk-secret-value-123456');
  });

  it('accepts inline policies and names them after their agent', async () => {
    const raw = tinyPipeline();
    raw.agents[0].policy = { use: 'fake-policy', latencyMs: 1 };
    const r = await validate(raw);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.pipeline.policies['solver']).toEqual({ use: 'fake-policy', latencyMs: 1 });
  });

  it('reports a missing prompt file relative to the pipeline file', async () => {
    const raw = tinyPipeline();
    raw.agents[0].prompt = 'prompts/nope.liquid';
    const issues = await issuesOf(raw);
    expect(issues[0]).toMatchObject({ path: 'agents[0].prompt' });
    expect(issues[0]!.message).toContain(join(TINY_DIR, 'prompts/nope.liquid'));
  });

  it('supports DAGs: agents run after everything they read', async () => {
    const raw = tinyPipeline();
    raw.agents = [
      { id: 'join', role: 'J', policy: 'a', prompt: 'prompts/agent.liquid', reads: ['left', 'right'] },
      { id: 'left', role: 'L', policy: 'a', prompt: 'prompts/agent.liquid', reads: [] },
      { id: 'right', role: 'R', policy: 'b', prompt: 'prompts/agent.liquid', reads: ['left'] },
    ];
    const r = await validate(raw);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.pipeline.agents.map((a) => a.id)).toEqual(['left', 'right', 'join']);
  });
});
