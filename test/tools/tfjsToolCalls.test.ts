import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../core/contracts/AgentSpec.js';
import type { Message } from '../../core/model/Message.js';
import { CoachScheduler } from '../../core/runner/CoachScheduler.js';
import { EpisodeRunner } from '../../core/runner/EpisodeRunner.js';
import { staticToolSource } from '../../core/tools/defineTool.js';
import { TemplateEngine } from '../../core/util/createTemplateEngine.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { scratchTokenizerFiles } from '../../plugins/policies/tfjs-transformer/scratchTokenizer.js';
import { TextTokenizer } from '../../plugins/policies/tfjs-transformer/TextTokenizer.js';
import type { TfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/TfjsTransformerPolicy.js';
import { createCalculatorTool } from '../../plugins/tools/calculator/calculatorToolPlugin.js';
import { FakeCoach, FakeEnvironment } from '../fakes/testPlugins.js';

const calculator = createCalculatorTool();
const specs = [{ name: calculator.name, description: calculator.description, parameters: calculator.parameters }];
let dir: string;
let policy: TfjsTransformerPolicy;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mappa-tfjs-tools-'));
  await writeFile(join(dir, 'prompt.liquid'), 'Q: {{ task.prompt }}');
  // `^()` makes every generation a tool call whose JSON does not parse: the random model still gets tool turns.
  policy = await createTfjsTransformerPolicy({ preset: 'tiny', tokenizer: 'char', seed: 3, maxNewTokens: 12, toolCallPattern: '^()' });
});
afterAll(async () => {
  await policy?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('tfjs-transformer with function tools', () => {
  it('renders the tools through the chat template and keeps contexts token-exact across tool turns', async () => {
    const agent: AgentSpec = {
      id: 'caller',
      role: 'Tool User',
      policyId: 'p',
      promptFile: join(dir, 'prompt.liquid'),
      tools: [],
      maxActions: 3,
      reads: [],
      sampling: { temperature: 1 },
      coachSeesGroundTruth: false,
      train: true,
    };
    const runner = new EpisodeRunner({
      environment: new FakeEnvironment(),
      policies: new Map([['p', policy]]),
      agents: [agent],
      templates: new TemplateEngine(),
      coach: new CoachScheduler(new FakeCoach(), 4, silentLogger),
      logger: silentLogger,
      workRoot: dir,
      keepWorkDirs: false,
      toolOutputLimit: 2000,
      toolSources: new Map([['caller', [staticToolSource('calculator', [calculator])]]]),
    });
    const episode = await runner.run({
      task: { id: 't', split: 'test', prompt: '12*34+5', metadata: {} },
      step: 0,
      phase: 'eval',
      sampleIndex: 0,
      seed: 5,
      coach: false,
      signal: new AbortController().signal,
    });
    expect(episode.error).toBeUndefined();
    const actions = episode.actions;
    expect(actions).toHaveLength(3);
    expect(actions[0]!.inputText.startsWith('<|system|>tools: calculator(expression)<|end|><|user|>Q: 12*34+5<|end|><|assistant|>')).toBe(true);
    for (const a of actions) expect(a.toolCalls[0]).toMatchObject({ status: 'error', errorKind: 'malformed' });
    // Replay: rebuild each conversation from the records alone and render it again.
    const messages: Message[] = [{ role: 'user', content: 'Q: 12*34+5' }];
    for (const [k, a] of actions.entries()) {
      expect(policy.contextIds(messages, specs)).toEqual(a.contextIds);
      if (k > 0) {
        const prev = actions[k - 1]!;
        expect(a.contextIds.slice(0, prev.contextIds.length + prev.actionIds.length)).toEqual([...prev.contextIds, ...prev.actionIds]);
      }
      messages.push({ role: 'assistant', content: a.text, tokenIds: a.actionIds }, ...a.toolCalls.map((c) => ({ role: 'tool' as const, content: c.output })));
    }
    expect(policy.tokenizer.decode(actions[1]!.contextIds)).toContain('<|tool|>error: the tool call could not be parsed');
  });

  it('reuses the exact ids of a generated tool call and appends the result after them', async () => {
    const call = '<tool_call>{"name":"calculator","arguments":{"expression":"12*34+5"}}</tool_call>';
    const first = await policy.encodeDemonstration([{ role: 'user', content: 'Q' }], call, { tools: specs });
    const second = policy.contextIds(
      [
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: call, tokenIds: first.actionIds },
        { role: 'tool', content: '413' },
      ],
      specs,
    );
    expect(second.slice(0, first.contextIds.length + first.actionIds.length)).toEqual([...first.contextIds, ...first.actionIds]);
    expect(policy.tokenizer.decode(second.slice(first.contextIds.length + first.actionIds.length))).toBe('<|tool|>413<|end|><|assistant|>');
  });

  it('passes tools to a Qwen-style template as OpenAI function tools', () => {
    const template =
      "{% if tools %}<|system|># Tools\n<tools>{% for tool in tools %}\n{{ tool | tojson }}{% endfor %}\n</tools><|end|>{% endif %}" +
      "{% for m in messages %}{% if m.role == 'tool' %}<|user|><tool_response>\n{{ m.content }}\n</tool_response><|end|>" +
      "{% else %}<|{{ m.role }}|>{{ m.content }}<|end|>{% endif %}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
    const tok = new TextTokenizer({ ...scratchTokenizerFiles('char'), chatTemplate: template }, 'test');
    const text = tok.renderChat([{ role: 'user', content: 'Q' }, { role: 'tool', content: '413' }], true, specs);
    expect(text).toContain('"type": "function"');
    expect(text).toContain('"name": "calculator"');
    expect(text).toContain('<tool_response>\n413\n</tool_response>');
    expect(tok.renderChat([{ role: 'user', content: 'Q' }], true)).toBe('<|user|>Q<|end|><|assistant|>');
  });
});
