import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { providerReply, requestTexts, scripted } from '../fakes/fakeProviderResponses.js';
import { useFakeServer } from '../fakes/useFakeServer.js';
import { tempDir, uniqueModel } from './coachFixtures.js';

const action = {
  task: { id: 'aime-1', prompt: 'What is 2+3?' },
  agent: { id: 'verifier', role: 'Verifier', position: 2, count: 3 },
  agentInput: 'Problem: 2+3. Code Executor output: 5',
  action: 'The answer is \\boxed{5}',
  groundTruth: '5',
  extras: { answer: '5' },
};

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

describe('mappa coach eval', () => {
  const server = useFakeServer(() => providerReply('openai', 'PROCESS_SCORE: 5'));
  const tmp = tempDir();
  afterAll(() => {
    tmp.remove();
  });

  const files = (coachYaml: string) => {
    const coach = join(tmp.dir, `coach-${uniqueModel()}.yaml`);
    const act = join(tmp.dir, 'action.json');
    writeFileSync(coach, coachYaml);
    writeFileSync(act, JSON.stringify(action));
    return { coach, act };
  };

  it('prints the evaluation, the prompt and the stats as JSON, and caches next to the coach file', async () => {
    server.setHandler(scripted([providerReply('openai', 'Correct.\nPROCESS_SCORE: 9\nANSWER_CORRECT: 1')]));
    const { coach, act } = files(`use: openai\nbaseURL: ${server.url}/v1\nmodel: ${uniqueModel()}\ntemplate: builtin:mathchat\n`);
    const r = await run(['coach', 'eval', '--coach', coach, '--action', act, '--show-prompt']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { evaluation: { score: number; outcome: unknown; flags: unknown }; prompt: string; stats: Record<string, number> };
    expect(out.evaluation.score).toBe(9);
    expect(out.evaluation.outcome).toEqual({ name: 'ANSWER_CORRECT', value: 1 });
    expect(out.prompt).toContain('Final answer extracted from this output: 5');
    expect(out.prompt).toBe(requestTexts(server.requests[0]!)[0]);
    expect(out.stats['calls']).toBe(1);
    expect(readdirSync(join(tmp.dir, '.mappa-cache', 'coach')).length).toBeGreaterThan(0);

    const again = await run(['coach', 'eval', '--coach', coach, '--action', act]);
    expect(JSON.parse(again.stdout).evaluation.flags.cached).toBe(true);
    expect(server.requests).toHaveLength(1);
    const fresh = await run(['coach', 'eval', '--coach', coach, '--action', act, '--no-cache']);
    expect(JSON.parse(fresh.stdout).evaluation.flags.cached).toBe(false);
    expect(server.requests).toHaveLength(2);
  });

  it('takes the coach section of a pipeline file, and exits 1 with a warning when the coach fell back', async () => {
    server.setHandler(() => providerReply('openai', 'no score at all'));
    const { coach, act } = files(
      `name: p\ncoach:\n  use: openai\n  baseURL: ${server.url}/v1\n  model: ${uniqueModel()}\n  retry: { retries: 0 }\nagents: []\n`,
    );
    const r = await run(['coach', 'eval', '--coach', coach, '--action', act, '--no-cache']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).evaluation.flags.fallback).toBe(true);
    expect(r.stderr).toContain('fell back to its neutral score');
  });

  it('reports bad coach configs and bad action files with their paths', async () => {
    const { coach, act } = files('use: openai\nmodel: m\nbaseURL: http://127.0.0.1:9/v1\ntemprature: 0\n');
    const bad = await run(['coach', 'eval', '--coach', coach, '--action', act]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/coach\.temprature/);

    const good = files(`use: constant\nscore: 4\n`);
    const badAction = join(tmp.dir, 'bad-action.json');
    writeFileSync(badAction, JSON.stringify({ task: { prompt: 'p' }, agent: { id: 'a' } }));
    const r = await run(['coach', 'eval', '--coach', good.coach, '--action', badAction]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/agent\.role.*action/s);
  });
});
