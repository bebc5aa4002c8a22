/** A JSON Schema object describing a tool's arguments (`{ type: 'object', properties, required }`). */
export type JsonSchemaObject = Readonly<Record<string, unknown>>;

/** What a policy is told about a tool: the OpenAI function-tool shape without its wrapper. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonSchemaObject;
}
