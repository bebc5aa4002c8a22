import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { DemonstrationSource } from '../../../core/contracts/DemonstrationSource.js';
import type { Tool, ToolSession } from '../../../core/contracts/Tool.js';
import type { Demonstration } from '../../../core/model/Demonstration.js';
import type { Message } from '../../../core/model/Message.js';
import type { PluginCreator } from '../../../core/plugins/PluginCreator.js';
import { parseToolCallText } from '../../../core/tools/parseToolCallText.js';
import { ToolExecutor } from '../../../core/tools/ToolExecutor.js';
import { TemplateEngine } from '../../../core/util/createTemplateEngine.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { Rng } from '../../../core/util/Rng.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { renderAgentPrompt } from '../../../core/runner/renderAgentPrompt.js';

export const CalculatorDemonstrationsConfig = z.strictObject({
  count: z.number().int().min(1).default(1000).describe('Train tasks turned into demonstrations'),
  agent: z.string().optional().describe('Agent id (default: the first agent with a calculator tool)'),
  mistakeRate: z.number().min(0).max(1).default(0.3).describe('Share of deliberately flawed demonstrations, so RL has mistakes to fix'),
  answerFormat: z.string().default('ANSWER: {answer}').describe('How the final answer is written ({answer} is replaced)'),
});
type Config = z.output<typeof CalculatorDemonstrationsConfig>;

type Mistake = 'typo' | 'malformed' | 'skip' | 'none';

/** Changes one digit of an expression (a copy slip). */
function typo(expression: string, rng: Rng): string {
  const digits = [...expression].map((ch, i) => (/\d/.test(ch) ? i : -1)).filter((i) => i >= 0);
  const at = rng.pick(digits);
  const old = Number(expression[at]);
  const next = (old + rng.int(1, 9)) % 10;
  return expression.slice(0, at) + String(next) + expression.slice(at + 1);
}

/**
 * Demonstrations of the calculator-tool pipeline: call the tool with the task's expression in the policy's tool-call
 * syntax (Qwen's `<tool_call>` JSON), then repeat the result as the answer. Tool results come from running the
 * agent's real tools through the runner's executor, so the warm start sees exactly the messages rollouts produce.
 * A share of them carry deliberate mistakes — a copy slip in the expression, malformed JSON, or a guessed answer
 * without a call — so RL has something to fix.
 */
export function createCalculatorDemonstrations(config: Config, plugins?: PluginCreator): DemonstrationSource {
  return {
    name: 'calculator-demonstrations',
    async demonstrations({ pipeline, seed }) {
      const agent = config.agent ? pipeline.agents.find((a) => a.id === config.agent) : pipeline.agents.find((a) => a.toolRefs?.length);
      if (!agent) throw new MappaError(`calculator-demonstrations: no agent ${config.agent ? `"${config.agent}"` : 'with function tools'} in the pipeline`);
      if (!plugins) throw new MappaError('calculator-demonstrations: needs the plugin factory to open the agent\'s tools');
      const tasksRef = pipeline.spec.tasks;
      const source = await plugins.create('tasks', tasksRef, 'tasks');
      const tasks = (await source.tasks(pipeline.spec.run?.trainSplit ?? 'train')).slice(0, config.count);
      const workDir = await mkdtemp(join(tmpdir(), 'mappa-demos-'));
      const sessions: ToolSession[] = [];
      const tools = new Map<string, Tool>();
      const sources = [];
      try {
        for (const { ref, path } of agent.toolRefs ?? []) {
          const s = await plugins.create('tool', ref, path);
          sources.push(s);
          const session = await s.open({ episodeId: 'demonstrations', agentId: agent.id, workDir, signal: new AbortController().signal });
          sessions.push(session);
          for (const t of session.tools) tools.set(t.name, t);
        }
        const specs = [...tools.values()].map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
        const calculator = [...tools.keys()].find((n) => n.includes('calc')) ?? [...tools.keys()][0];
        if (!calculator) throw new MappaError(`calculator-demonstrations: agent ${agent.id} has no function tools`);
        const templates = new TemplateEngine();
        const executor = new ToolExecutor();
        const rng = Rng.fromSeed(seed);
        const out: Demonstration[] = [];
        const stats: Record<Mistake, number> = { none: 0, typo: 0, malformed: 0, skip: 0 };
        for (const task of tasks) {
          const expression = String(task.metadata['expression'] ?? task.prompt);
          const prompt = await renderAgentPrompt(templates, agent, task, {});
          const mistake: Mistake = rng.next() < config.mistakeRate ? rng.pick(['typo', 'malformed', 'skip'] as const) : 'none';
          stats[mistake]++;
          const messages: Message[] = [{ role: 'user', content: prompt }];
          const answer = (v: string) => config.answerFormat.replaceAll('{answer}', v);
          const guess = String(Number(String(task.groundTruth)) + rng.int(-999, 999) || 1);
          if (mistake === 'skip') {
            out.push({ agentId: agent.id, messages, response: answer(guess), taskId: task.id, turnIndex: 0, tools: specs });
            continue;
          }
          const args = JSON.stringify({ expression: mistake === 'typo' ? typo(expression, rng) : expression });
          let call = `<tool_call>{"name":"${calculator}","arguments":${args}}</tool_call>`;
          if (mistake === 'malformed') call = call.replace('}}</tool_call>', '}</tool_call>');
          out.push({ agentId: agent.id, messages, response: call, taskId: task.id, turnIndex: 0, tools: specs });
          const run = await executor.execute(parseToolCallText(call), tools, {
            episodeId: `demo-${task.id}`,
            agentId: agent.id,
            actionIndex: 0,
            workDir,
            signal: new AbortController().signal,
            seed,
          });
          const result = run.calls[0];
          const final = result?.status === 'ok' ? result.output : guess;
          out.push({
            agentId: agent.id,
            messages: [...messages, { role: 'assistant', content: call }, ...run.messages],
            response: answer(final),
            taskId: task.id,
            turnIndex: 1,
            tools: specs,
          });
        }
        return { demonstrations: out, stats: { [agent.id]: stats } };
      } finally {
        await Promise.allSettled(sessions.map((s) => s.close?.()));
        await Promise.allSettled(sources.map((s) => s.dispose?.()));
        await rm(workDir, { recursive: true, force: true });
      }
    },
  };
}

export const calculatorDemonstrationsPlugin = definePlugin({
  kind: 'demonstrations',
  name: 'calculator-demonstrations',
  description: 'Warm-start demonstrations of calling a calculator tool in tool-call syntax and answering with its result (with deliberate mistakes).',
  configSchema: CalculatorDemonstrationsConfig,
  create: (config, deps) => createCalculatorDemonstrations(config, deps.plugins),
});
