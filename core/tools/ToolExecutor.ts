import { Ajv, type ValidateFunction } from 'ajv';
import type { Tool, ToolContext } from '../contracts/Tool.js';
import type { Message } from '../model/Message.js';
import type { ToolCall, ToolCallErrorKind } from '../model/ToolCall.js';
import type { ToolCallRequest } from '../model/ToolCallRequest.js';
import { truncateMiddle } from '../util/truncate.js';
import { formatToolValue } from './formatToolValue.js';

export interface ToolExecutorOptions {
  /** Limit of one call when the tool sets none (ms). */
  readonly defaultTimeoutMs?: number;
  /** Characters of one result kept in the agent's context (head and tail). */
  readonly maxOutputChars?: number;
  /** Calls run per action; the rest are answered with an error result. */
  readonly maxCallsPerAction?: number;
}

export interface ExecutedToolCalls {
  readonly calls: ToolCall[];
  /** One `tool` message per call, in call order, as the agent sees them. */
  readonly messages: Message[];
  /** A call asked to end the agent's turn (e.g. `submit_answer`). */
  readonly final: boolean;
  /** The result of that call: the agent's output for the turn. */
  readonly finalOutput?: string;
}

class ToolTimeout extends Error {}

/**
 * Runs the function tool calls of one action: arguments are parsed and checked against the tool's JSON Schema, each
 * call has a time limit, and every failure (malformed JSON, unknown tool, invalid arguments, a throw, a timeout, an
 * `isError` result) becomes a tool result the agent sees, with its kind recorded on the call. Nothing here throws.
 */
export class ToolExecutor {
  readonly #ajv = new Ajv({ allErrors: true, strict: false });
  readonly #validators = new WeakMap<Tool, ValidateFunction>();

  constructor(private readonly o: ToolExecutorOptions = {}) {}

  #validator(tool: Tool): ValidateFunction | string {
    let v = this.#validators.get(tool);
    if (!v) {
      try {
        v = this.#ajv.compile(tool.parameters as object);
      } catch (err) {
        return `the tool's parameter schema does not compile: ${(err as Error).message}`;
      }
      this.#validators.set(tool, v);
    }
    return v;
  }

  async execute(
    requests: readonly ToolCallRequest[],
    tools: ReadonlyMap<string, Tool>,
    context: Omit<ToolContext, 'signal'> & { readonly signal: AbortSignal },
  ): Promise<ExecutedToolCalls> {
    const calls: ToolCall[] = [];
    const messages: Message[] = [];
    let final = false;
    let finalOutput: string | undefined;
    const t0 = performance.now();
    const max = this.o.maxCallsPerAction ?? 8;
    for (const [n, req] of requests.entries()) {
      const startedMs = performance.now() - t0;
      const base = { tool: req.name || '(none)', input: req.arguments, id: req.id, startedMs };
      const fail = (kind: ToolCallErrorKind, text: string, extra: Partial<ToolCall> = {}) => {
        calls.push({ ...base, ...extra, status: kind === 'timeout' ? 'timeout' : 'error', errorKind: kind, output: text, durationMs: performance.now() - t0 - startedMs });
        messages.push({ role: 'tool', content: text, toolCallId: req.id, name: base.tool });
      };
      if (n >= max) {
        fail('tool-error', `error: only ${max} tool calls run per action; this one was skipped`);
        continue;
      }
      if (req.parseError !== undefined) {
        fail('malformed', `error: the tool call could not be parsed: ${req.parseError}`);
        continue;
      }
      const tool = tools.get(req.name);
      if (!tool) {
        fail('unknown-tool', `error: unknown tool "${req.name}"; available: ${[...tools.keys()].join(', ') || '(none)'}`);
        continue;
      }
      let args: Record<string, unknown>;
      try {
        const parsed: unknown = req.arguments.trim() === '' ? {} : JSON.parse(req.arguments);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('arguments must be a JSON object');
        args = parsed as Record<string, unknown>;
      } catch (err) {
        fail('malformed', `error: the arguments of ${req.name} are not a JSON object: ${(err as Error).message}`);
        continue;
      }
      const validate = this.#validator(tool);
      if (typeof validate === 'string' || !validate(args)) {
        const why =
          typeof validate === 'string'
            ? validate
            : (validate.errors ?? []).map((e) => `${e.instancePath || '(arguments)'} ${e.message ?? 'is invalid'}`).join('; ');
        fail('invalid-arguments', `error: invalid arguments for ${req.name}: ${why}`, { arguments: args });
        continue;
      }
      const timeoutMs = tool.timeoutMs ?? this.o.defaultTimeoutMs ?? 30_000;
      const controller = new AbortController();
      const onAbort = () => controller.abort(context.signal.reason);
      context.signal.addEventListener('abort', onAbort, { once: true });
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort(new ToolTimeout());
            reject(new ToolTimeout());
          }, timeoutMs);
        });
        const value = await Promise.race([tool.execute(args, { ...context, signal: controller.signal }), timeout]);
        const { text, isError, final: ends } = formatToolValue(value);
        const output = truncateMiddle(text, this.o.maxOutputChars ?? 4000);
        if (ends && !isError) {
          final = true;
          finalOutput = output;
        }
        calls.push({
          ...base,
          arguments: args,
          status: isError ? 'error' : 'ok',
          ...(isError ? { errorKind: 'tool-error' as const } : {}),
          output,
          durationMs: performance.now() - t0 - startedMs,
        });
        messages.push({ role: 'tool', content: output, toolCallId: req.id, name: req.name });
      } catch (err) {
        if (err instanceof ToolTimeout) fail('timeout', `error: ${req.name} did not finish within ${timeoutMs} ms`, { arguments: args });
        else fail('threw', `error: ${req.name} failed: ${(err as Error)?.message ?? String(err)}`, { arguments: args });
      } finally {
        clearTimeout(timer);
        context.signal.removeEventListener('abort', onAbort);
      }
    }
    return { calls, messages, final, ...(finalOutput !== undefined ? { finalOutput } : {}) };
  }
}
