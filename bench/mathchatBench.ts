/**
 * MathChat domain throughput: answer checking, problem generation, SFT demonstrations and the rule coach.
 *   npx tsx bench/mathchatBench.ts [--reps 7]
 * Prints the median and the min–max spread of each figure over the repetitions.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentSpec } from '../core/contracts/AgentSpec.js';
import type { CoachInput } from '../core/contracts/Coach.js';
import { createMathChatRuleCoach } from '../coaches/mathchat-rule/mathchatRuleCoachPlugin.js';
import { answersEquivalent } from '../environments/mathchat/answers/answersEquivalent.js';
import { generateMathChatDemonstrations } from '../environments/mathchat/demonstrations/generateMathChatDemonstrations.js';
import { problemToTask } from '../environments/mathchat/tasks/generateProblemSet.js';
import { createMathChatGenerator } from '../environments/mathchat/tasks/mathchatGeneratorPlugin.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 7;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function summary(name: string, unit: string, values: number[]): void {
  const s = [...values].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)]!;
  const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
  console.log(`${name.padEnd(44)} median ${fmt(median).padStart(9)} ${unit}   spread ${fmt(s[0]!)}–${fmt(s.at(-1)!)}`);
}

async function measure(fn: () => Promise<number> | number): Promise<number[]> {
  await fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < reps; i++) out.push(await fn());
  return out;
}

const pairs: Array<[string, string]> = [
  ['0.5', '1/2'], ['\\frac{3}{4}', '0.75'], ['1,000', '1000'], ['\\boxed{82}', '82'], ['50\\%', '0.5'], ['3\\frac{1}{2}', '7/2'],
  ['12 apples', '12'], ['\\sqrt{2}', '\\sqrt{3}'], ['2^{10}', '1024'], ['-\\dfrac{3}{4}', '-0.75'],
];
summary('answersEquivalent', 'checks/s', await measure(() => {
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) answersEquivalent(pairs[i % pairs.length]![0], pairs[i % pairs.length]![1]);
  return n / ((performance.now() - t0) / 1000);
}));

summary('mathchat-generator (1000 train + 100 test)', 'ms', await measure(async () => {
  const t0 = performance.now();
  const g = createMathChatGenerator({ train: 1000, test: 100 });
  await g.tasks('train');
  return performance.now() - t0;
}));

const prompts = join(root, 'examples', 'mathchat', 'prompts', 'tiny');
const agent = (o: Partial<AgentSpec> & { id: string; role: string }): AgentSpec => ({
  policyId: o.id, promptFile: join(prompts, `${o.id}.liquid`), tools: [], maxActions: 1, reads: [], sampling: {}, coachSeesGroundTruth: true, train: true, ...o,
});
const agents = [
  agent({ id: 'solver', role: 'Problem Solver' }),
  agent({ id: 'coder', role: 'Code Executor', tools: ['python'], maxActions: 2, reads: ['solver'] }),
  agent({ id: 'verifier', role: 'Verifier', reads: ['coder'] }),
];
const problems = createMathChatGenerator({ train: 1000, test: 0 }).problems('train').map((p, i) => ({ task: problemToTask(p, 'train', i), solution: p.solution }));
let demoCount = 0;
summary('demonstrations (1000 problems)', 'demos/s', await measure(async () => {
  const t0 = performance.now();
  const set = await generateMathChatDemonstrations({ problems, agents, seed: 1 });
  demoCount = set.demonstrations.length;
  return demoCount / ((performance.now() - t0) / 1000);
}));
console.log(`  (${demoCount} demonstrations per 1000 problems)`);

const coach = createMathChatRuleCoach();
const input: CoachInput = {
  task: { id: 't', prompt: 'What is 37+45?', metadata: {} },
  agent: { id: 'verifier', role: 'Verifier', position: 2, count: 3 },
  agentInput: '',
  action: '\\boxed{-8}',
  actionRecord: {
    index: 3, agentId: 'verifier', role: 'Verifier', turnIndex: 0, inputText: '', contextIds: [], text: '\\boxed{-8}', actionIds: [], logprobs: [], finishReason: 'stop',
    policyId: 'p', policyVersion: 0, toolCalls: [], toolOutput: '', filesWritten: [], extras: {}, timings: { generateMs: 0, toolMs: 0 },
  },
  previousActions: [],
  groundTruth: '82',
  extras: { codeBlocks: [], toolOutputs: [], codeRan: false, codeErrors: 0, sandboxErrors: 0, answer: '-8', upstreamPrinted: '-8', upstreamToolResult: '-8' },
};
summary('mathchat-rule coach', 'evaluations/s', await measure(async () => {
  const n = 5_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await coach.evaluate(input);
  return n / ((performance.now() - t0) / 1000);
}));
