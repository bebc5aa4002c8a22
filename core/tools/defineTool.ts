import { Ajv } from 'ajv';
import { z } from 'zod';
import type { Tool, ToolContext, ToolSession, ToolSource, ToolValue } from '../contracts/Tool.js';
import type { JsonSchemaObject } from '../model/ToolSpec.js';
import { MappaError } from '../util/MappaError.js';

export interface DefineToolOptions<A> {
  readonly name: string;
  readonly description: string;
  /** A zod object schema (converted to JSON Schema; arguments are parsed with it) or a JSON Schema object. */
  readonly parameters: z.ZodType<A> | JsonSchemaObject;
  readonly timeoutMs?: number;
  execute(args: A, context: ToolContext): Promise<ToolValue> | ToolValue;
}

const TOOL_NAME = /^[A-Za-z][\w.-]{0,63}$/;

/** Whether a value is a zod schema (zod 4 keeps its definition under `_zod`). */
function isZod(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/**
 * A tool from a name, a description, a parameter schema and an `execute` function. With a zod schema the arguments
 * reach `execute` parsed (defaults applied); the JSON Schema the policy sees is derived from it.
 */
export function defineTool<A = Record<string, unknown>>(options: DefineToolOptions<A>): Tool {
  if (!TOOL_NAME.test(options.name)) {
    throw new MappaError(`tool name "${options.name}" is not valid`, { hint: 'use 1–64 letters, digits, "_", "-" or ".", starting with a letter (OpenAI rejects other names)' });
  }
  const schema = options.parameters;
  const parameters: JsonSchemaObject = isZod(schema) ? (z.toJSONSchema(schema, { io: 'input' }) as JsonSchemaObject) : schema;
  if (parameters['type'] !== 'object') {
    throw new MappaError(`tool "${options.name}": parameters must describe an object (got type ${JSON.stringify(parameters['type'])})`, {
      hint: 'wrap the arguments in z.object({...}) or { type: "object", properties: {...} }',
    });
  }
  const { $schema: _drop, ...clean } = parameters as Record<string, unknown>;
  try {
    new Ajv({ strict: false }).compile(clean);
  } catch (err) {
    throw new MappaError(`tool "${options.name}": the parameter schema is not valid JSON Schema: ${(err as Error).message}`, { hint: 'check the `parameters` object (draft-07 / 2020-12 keywords)' });
  }
  return {
    name: options.name,
    description: options.description,
    parameters: clean,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    async execute(args, context) {
      const parsed = isZod(schema) ? (schema.parse(args) as A) : (args as A);
      return options.execute(parsed, context);
    },
  };
}

/** A tool source that hands out the same fixed tools to every episode. */
export function staticToolSource(name: string, tools: readonly Tool[]): ToolSource {
  const session: ToolSession = { tools };
  return { name, open: async () => session };
}
