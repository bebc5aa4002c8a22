import { describe, expect, it } from 'vitest';
import { createOpenAICoach } from '../../coaches/llm/openaiCoachPlugin.js';
import { createToolCallRuleCoach } from '../../coaches/tool-call-rule/toolCallRuleCoachPlugin.js';
import type { ToolCall } from '../../core/model/ToolCall.js';
import { collectMathChatFacts } from '../../environments/mathchat/mathchatFacts.js';
import { sampleAction, sampleCoachInput } from '../conformance/coachConformance.js';

const ok: ToolCall = { tool: 'calculator', id: 'call_0', input: '{"expression":"12*34+5"}', arguments: { expression: '12*34+5' }, status: 'ok', output: '413' };
const wrong: ToolCall = { ...ok, input: '{"expression":"12*35+5"}', arguments: { expression: '12*35+5' }, output: '425' };
const malformed: ToolCall = { tool: '(none)', id: 'call_0', input: '{"name":', status: 'error', errorKind: 'malformed', output: 'error: the tool call could not be parsed' };

function input(text: string, toolCalls: ToolCall[], previous: ToolCall[][] = [], groundTruth: unknown = 413) {
  const action = sampleAction({ agentId: 'caller', role: 'Tool User', text, toolCalls });
  return sampleCoachInput({
    agent: { id: 'caller', role: 'Tool User', position: 0, count: 1 },
    action: text,
    actionRecord: action,
    previousActions: previous.map((calls, i) => sampleAction({ index: i, agentId: 'caller', role: 'Tool User', text: 'call', toolCalls: calls })),
    groundTruth,
    extras: {},
  });
}

describe('coaches see function tool calls', () => {
  it('the generic LLM template lists each call with its arguments, status and result', async () => {
    const coach = await createOpenAICoach({ baseURL: 'http://127.0.0.1:9/v1', model: 'm', template: 'builtin:generic' });
    const prompt = await coach.renderPrompt(input('<tool_call>…</tool_call>', [ok, malformed]));
    expect(prompt).toContain('## Tool calls made by this action\n- calculator({"expression":"12*34+5"}) → ok: 413\n- (none)({"name":) → error (malformed): error: the tool call could not be parsed\n');
    const plain = await coach.renderPrompt(input('ANSWER: 413', []));
    expect(plain).not.toContain('Tool calls made by this action');
  });

  it('tool-call-rule scores calls and answers from typed facts, blaming the call for a faithfully copied wrong result', async () => {
    const coach = createToolCallRuleCoach();
    const score = async (i: ReturnType<typeof input>) => (await coach.evaluate(i)).score;
    expect(await score(input('c', [ok]))).toBe(10);
    expect(await score(input('c', [wrong]))).toBe(4);
    expect(await score(input('c', [malformed]))).toBe(1);
    expect(await score(input('c', [ok, malformed]))).toBe(5.5);
    expect(await score(input('ANSWER: 413', [], [[ok]]))).toBe(10);
    expect(await score(input('ANSWER: 425', [], [[wrong]]))).toBe(5);
    expect(await score(input('ANSWER: 999', [], [[wrong]]))).toBe(1);
    expect(await score(input('ANSWER: 999', []))).toBe(1);
    expect(await score(input('hello', []))).toBe(0);
    expect(await score(input('c', [ok], [], null))).toBe(7);
  });

  it('mathchat-rule facts read a python function call\'s code argument as its code block', () => {
    const call: ToolCall = { tool: 'python', id: 'call_0', input: '{"code":"print(2+3)"}', arguments: { code: 'print(2+3)' }, status: 'ok', output: '5' };
    const facts = collectMathChatFacts(sampleAction({ agentId: 'coder', role: 'Code Executor', text: '', toolCalls: [call] }), []);
    expect(facts.codeBlocks).toEqual(['print(2+3)']);
    expect(facts.toolOutputs).toEqual(['5']);
  });
});
