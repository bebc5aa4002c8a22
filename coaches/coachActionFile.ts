import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { CoachInput } from '../core/contracts/Coach.js';
import type { ActionRecord } from '../core/model/Action.js';
import { MappaError } from '../core/util/MappaError.js';

const ToolCallSchema = z.strictObject({
  tool: z.string().default('python'),
  input: z.string().default(''),
  language: z.string().optional(),
  status: z.enum(['ok', 'error', 'timeout', 'sandbox-error']).default('ok'),
  output: z.string().default(''),
  exitCode: z.number().int().optional(),
});

const PreviousActionSchema = z.strictObject({
  agentId: z.string().min(1),
  role: z.string().min(1),
  text: z.string(),
  turnIndex: z.number().int().min(0).default(0),
  toolOutput: z.string().default(''),
  filesWritten: z.array(z.string()).default([]),
});

/**
 * One action to score, as JSON (`mappa coach eval --action ACTION.json`, calibration sets): the fields of a
 * `CoachInput`, with the action record reduced to what coaches read. Only `task.prompt`, `agent.id`, `agent.role`
 * and `action` are required.
 */
export const CoachActionFileSchema = z
  .strictObject({
    task: z.strictObject({
      id: z.string().default('task'),
      prompt: z.string(),
      metadata: z.record(z.string(), z.unknown()).default({}),
    }),
    agent: z.strictObject({
      id: z.string().min(1),
      role: z.string().min(1),
      position: z.number().int().min(0).default(0),
      count: z.number().int().min(1).default(1),
    }),
    agentInput: z.string().default(''),
    action: z.string(),
    turnIndex: z.number().int().min(0).default(0),
    finishReason: z.enum(['stop', 'length', 'error']).default('stop'),
    /** The latest tool output as the coach sees it (the runner truncates it to run.toolOutputLimit). */
    toolOutput: z.string().optional(),
    toolCalls: z.array(ToolCallSchema).default([]),
    filesWritten: z.array(z.string()).default([]),
    previousActions: z.array(PreviousActionSchema).default([]),
    /** Present only when the coach may see ground truth for this agent. */
    groundTruth: z.unknown().optional(),
    extras: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((a) => a.agent.position < a.agent.count, { message: 'agent.position must be smaller than agent.count', path: ['agent', 'position'] });
export type CoachActionFile = z.output<typeof CoachActionFileSchema>;

function record(o: {
  index: number;
  agentId: string;
  role: string;
  turnIndex: number;
  inputText: string;
  text: string;
  toolOutput: string;
  filesWritten: readonly string[];
  toolCalls?: ActionRecord['toolCalls'];
  finishReason?: ActionRecord['finishReason'];
  extras?: Readonly<Record<string, unknown>>;
}): ActionRecord {
  return {
    index: o.index,
    agentId: o.agentId,
    role: o.role,
    turnIndex: o.turnIndex,
    inputText: o.inputText,
    contextIds: [],
    text: o.text,
    actionIds: [],
    logprobs: [],
    finishReason: o.finishReason ?? 'stop',
    policyId: 'action-file',
    policyVersion: 0,
    toolCalls: o.toolCalls ?? [],
    toolOutput: o.toolOutput,
    filesWritten: o.filesWritten.map((path) => ({ path, bytes: 0, writtenBy: o.agentId })),
    extras: o.extras ?? {},
    timings: { generateMs: 0, toolMs: 0 },
  };
}

/** The `CoachInput` an action file describes. */
export function coachInputFromActionFile(a: CoachActionFile): CoachInput {
  const previousActions = a.previousActions.map((p, index) =>
    record({ index, agentId: p.agentId, role: p.role, turnIndex: p.turnIndex, inputText: '', text: p.text, toolOutput: p.toolOutput, filesWritten: p.filesWritten }),
  );
  const actionRecord = record({
    index: previousActions.length,
    agentId: a.agent.id,
    role: a.agent.role,
    turnIndex: a.turnIndex,
    inputText: a.agentInput,
    text: a.action,
    toolOutput: a.toolOutput ?? '',
    filesWritten: a.filesWritten,
    toolCalls: a.toolCalls.map(({ language, exitCode, ...call }) => ({
      ...call,
      ...(language !== undefined ? { language } : {}),
      ...(exitCode !== undefined ? { exitCode } : {}),
    })),
    finishReason: a.finishReason,
    extras: a.extras,
  });
  return {
    task: a.task,
    agent: a.agent,
    agentInput: a.agentInput,
    action: a.action,
    actionRecord,
    ...(a.toolOutput !== undefined ? { toolOutput: a.toolOutput } : {}),
    previousActions,
    ...(a.groundTruth !== undefined ? { groundTruth: a.groundTruth } : {}),
    extras: a.extras,
  };
}

/** Validates parsed JSON as an action file; problems are reported with their path inside `source`. */
export function parseCoachActionFile(data: unknown, source: string): CoachInput {
  const parsed = CoachActionFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new MappaError(`${source}: not a valid action file: ${problems}`, {
      hint: 'required: task.prompt, agent.id, agent.role, action; see docs/coaches.md ("Action files")',
    });
  }
  return coachInputFromActionFile(parsed.data);
}

/** Reads an action file (JSON). */
export async function readCoachActionFile(file: string): Promise<CoachInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MappaError(`cannot read action file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new MappaError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseCoachActionFile(data, file);
}
