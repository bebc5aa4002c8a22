import { z } from 'zod';
import type { Coach, CoachInput } from '../../core/contracts/Coach.js';
import type { Environment, EpisodeEnvironment } from '../../core/contracts/Environment.js';
import type { GenerateRequest, Generation, Policy } from '../../core/contracts/Policy.js';
import type { AgentBatch, Trainer } from '../../core/contracts/Trainer.js';
import type { AgentTurn } from '../../core/model/Episode.js';
import type { Task } from '../../core/model/Task.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import type { AnyPluginDefinition } from '../../core/plugins/PluginDefinition.js';
import { Rng } from '../../core/util/Rng.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const ids = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** Deterministic fake policy: output depends only on seed and context. Can fail on demand and simulate latency. */
export class FakePolicy implements Policy {
  version = 0;
  calls = 0;
  constructor(
    readonly id: string,
    readonly o: { latencyMs?: number; failWhen?: string; trainable?: boolean; toolEvery?: number } = {},
  ) {}
  get trainable() {
    return this.o.trainable ?? true;
  }
  async generate(req: GenerateRequest): Promise<Generation> {
    this.calls++;
    if (req.signal?.aborted) throw new Error('aborted');
    await sleep(this.o.latencyMs ?? 0, req.signal);
    const context = req.messages.map((m) => m.content).join('\n');
    if (this.o.failWhen && context.includes(this.o.failWhen)) throw new Error(`fake policy failure on "${this.o.failWhen}"`);
    const rng = Rng.fromSeed(req.seed);
    const n = rng.int(0, 9);
    const turn = req.messages.filter((m) => m.role === 'assistant').length;
    const wantsTool = this.o.toolEvery !== undefined && turn === 0 && n % this.o.toolEvery === 0;
    const text = `${this.id} says ${n}${wantsTool ? ' RUN(tool)' : ''}`;
    const tokenIds = ids(text);
    return {
      text,
      contextIds: ids(context),
      tokenIds,
      logprobs: tokenIds.map(() => -0.5),
      finishReason: 'stop',
      policyVersion: this.version,
    };
  }
  loads: string[] = [];
  async encodeDemonstration(messages: readonly { content: string }[], response: string) {
    return { contextIds: ids(messages.map((m) => m.content).join('\n')), actionIds: ids(response) };
  }
  async save(dir: string): Promise<void> {
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/weights.json`, JSON.stringify({ version: this.version }));
  }
  async load(dir: string): Promise<void> {
    this.loads.push(dir);
  }
}

/** Fake environment: tool calls are `RUN(...)`, the answer is the last agent's digit. */
export class FakeEnvironment implements Environment {
  readonly name = 'fake-env';
  created = 0;
  closed = 0;
  constructor(readonly o: { toolLatencyMs?: number; crashOn?: string } = {}) {}
  async createEpisode(task: Task): Promise<EpisodeEnvironment> {
    this.created++;
    const self = this;
    const files: Array<{ path: string; bytes: number; writtenBy: string; actionIndex?: number }> = [];
    return {
      async observe(agent, upstream) {
        return { vars: { upstreamCount: upstream.size, note: `agent ${agent.id}` } };
      },
      async executeTools(agent, action) {
        if (!action.text.includes('RUN(')) return undefined;
        if (self.o.crashOn && task.id === self.o.crashOn) throw new Error('tool crashed');
        await sleep(self.o.toolLatencyMs ?? 0);
        files.push({ path: `out-${action.index}.txt`, bytes: 3, writtenBy: agent.id, actionIndex: action.index });
        return {
          calls: [{ tool: 'run', input: 'tool', status: 'ok', output: 'ran' }],
          message: { role: 'user', content: '<tool_response>ran</tool_response>' },
          filesWritten: [files.at(-1)!],
        };
      },
      async artifacts() {
        return files;
      },
      async coachContext() {
        return { files: files.map((f) => f.path) };
      },
      groundTruth() {
        return task.groundTruth;
      },
      async evaluate(turns: ReadonlyMap<string, AgentTurn>) {
        const last = [...turns.values()].at(-1)?.output ?? '';
        const digit = /(\d)/.exec(last)?.[1];
        return { success: digit !== undefined, correct: digit === String(task.groundTruth), metrics: { length: last.length }, ...(digit ? { answer: digit } : {}) };
      },
      async close() {
        self.closed++;
      },
    };
  }
}

/** Fake coach: score from the action's digit, optional latency and failures. */
export class FakeCoach implements Coach {
  readonly name = 'fake-coach';
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    readonly scope: 'action' | 'episode' = 'action',
    readonly o: { latencyMs?: number; failOn?: string } = {},
  ) {}
  async evaluate(input: CoachInput) {
    this.calls++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await sleep(this.o.latencyMs ?? 0);
      if (this.o.failOn && input.action.includes(this.o.failOn)) throw new Error('coach backend down');
      const digit = Number(/(\d)/.exec(input.action)?.[1] ?? 0);
      return { score: digit, rationale: `digit ${digit}`, raw: `PROCESS_SCORE: ${digit}`, coach: this.name, flags: { repaired: false, fallback: false, cached: false } };
    } finally {
      this.inFlight--;
    }
  }
}

/** Records what it was asked to train and bumps each policy's version. */
export class RecordingTrainer implements Trainer {
  readonly name = 'recording';
  readonly steps: Array<{ step: number; batches: AgentBatch[] }> = [];
  state = { updates: 0 };
  async step(batches: readonly AgentBatch[], ctx: { step: number }) {
    this.steps.push({ step: ctx.step, batches: [...batches] });
    const out: Record<string, Record<string, number>> = {};
    for (const b of batches) {
      this.state.updates++;
      (b.policy as FakePolicy).version++;
      out[b.agentId] = { loss: b.experiences.length ? b.experiences.reduce((s, e) => s + e.reward, 0) / b.experiences.length : 0, samples: b.experiences.length };
    }
    return out;
  }
  async saveState(dir: string) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${dir}/state.json`, JSON.stringify(this.state));
  }
  async loadState(dir: string) {
    const { readFile } = await import('node:fs/promises');
    this.state = JSON.parse(await readFile(`${dir}/state.json`, 'utf8'));
  }
}

/** Plugin definitions wrapping the fakes, with shared instances the test can inspect. */
export function fakePlugins(shared: { policies?: Map<string, FakePolicy>; env?: FakeEnvironment; coach?: FakeCoach; trainer?: RecordingTrainer } = {}) {
  const policies = shared.policies ?? new Map<string, FakePolicy>();
  const env = shared.env ?? new FakeEnvironment();
  const coach = shared.coach ?? new FakeCoach();
  const trainer = shared.trainer ?? new RecordingTrainer();
  const defs: AnyPluginDefinition[] = [
    definePlugin({
      kind: 'policy',
      name: 'fake-policy',
      description: 'fake',
      configSchema: z.strictObject({ latencyMs: z.number().default(0), failWhen: z.string().optional(), toolEvery: z.number().optional() }),
      capabilities: { trainable: true },
      create: (c, deps) => {
        const p = new FakePolicy(deps.id, {
          latencyMs: c.latencyMs,
          ...(c.failWhen ? { failWhen: c.failWhen } : {}),
          ...(c.toolEvery !== undefined ? { toolEvery: c.toolEvery } : {}),
        });
        policies.set(deps.id, p);
        return p;
      },
    }),
    definePlugin({
      kind: 'demonstrations',
      name: 'fake-demos',
      description: 'fake',
      configSchema: z.strictObject({ count: z.number().default(3) }),
      create: (c) => ({
        name: 'fake-demos',
        demonstrations: async ({ pipeline }) => ({
          demonstrations: pipeline.agents.flatMap((a) =>
            Array.from({ length: c.count }, (_, i) => ({ agentId: a.id, messages: [{ role: 'user' as const, content: `demo ${i}` }], response: `${a.policyId} says ${i}` })),
          ),
          stats: { all: { count: c.count } },
        }),
      }),
    }),
    definePlugin({ kind: 'environment', name: 'fake-env', description: 'fake', configSchema: z.strictObject({}), create: () => env }),
    definePlugin({ kind: 'coach', name: 'fake-coach', description: 'fake', configSchema: z.strictObject({}), create: () => coach }),
    definePlugin({
      kind: 'trainer',
      name: 'fake-trainer',
      description: 'fake',
      configSchema: z.strictObject({ lr: z.number().default(0.1) }),
      capabilities: { requiresTrainablePolicy: true },
      create: () => trainer,
    }),
  ];
  return { defs, policies, env, coach, trainer };
}
