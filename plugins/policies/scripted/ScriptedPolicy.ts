import type { GenerateRequest, Generation, Policy } from '../../../core/contracts/Policy.js';
import { parseToolCallText } from '../../../core/tools/parseToolCallText.js';

export interface ScriptedRule {
  /** Regular expression tested against the last non-assistant message. */
  readonly match: string;
  readonly reply: string;
}

export interface ScriptedPolicyOptions {
  readonly id: string;
  /** Reply for the n-th action of a turn (n = assistant messages so far); the last one repeats. */
  readonly replies?: readonly string[];
  /** First matching rule wins over `replies`. */
  readonly rules?: readonly ScriptedRule[];
}

const toIds = (text: string) => Array.from(text, (ch) => ch.codePointAt(0)!);

/**
 * Replays scripted replies: for demos, tests and debugging pipelines (e.g. a Data Engineer that forgets a file).
 * Deterministic and free; not trainable.
 */
export class ScriptedPolicy implements Policy {
  readonly trainable = false;
  readonly version = 0;
  readonly #rules: Array<{ re: RegExp; reply: string }>;

  constructor(private readonly o: ScriptedPolicyOptions) {
    this.#rules = (o.rules ?? []).map((r) => ({ re: new RegExp(r.match, 's'), reply: r.reply }));
  }

  get id(): string {
    return this.o.id;
  }

  async generate(request: GenerateRequest): Promise<Generation> {
    const turn = request.messages.filter((m) => m.role === 'assistant').length;
    const last = [...request.messages].reverse().find((m) => m.role !== 'assistant')?.content ?? '';
    const rule = this.#rules.find((r) => r.re.test(last));
    const replies = this.o.replies ?? [];
    const text = rule?.reply ?? replies[Math.min(turn, replies.length - 1)] ?? '';
    const tokenIds = toIds(text);
    // Like a model that writes tool calls as text (Qwen's `<tool_call>` JSON): the runner runs the agent's tools.
    const toolCalls = request.tools?.length ? parseToolCallText(text) : [];
    return {
      ...(toolCalls.length ? { toolCalls } : {}),
      text,
      contextIds: toIds(request.messages.map((m) => m.content).join('\n')),
      tokenIds,
      logprobs: tokenIds.map(() => 0),
      finishReason: 'stop',
      policyVersion: 0,
    };
  }
}
