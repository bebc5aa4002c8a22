import type { ToolResponseFormat } from '../code-sandbox/BlockToolResponseFormatter.js';

/**
 * The DSBench reference's tool response: a block's stdout (plus `[stderr]: …`, or `(no output)`), the paper's
 * `[Execution <status>]` layout on failure with the streams as the sandbox gave them, `[Sandbox Error] …` when the
 * sandbox failed; the environment's notes (skipped blocks, files written) follow the blocks inside `<tool_response>`.
 */
const BLOCK =
  '{% if status == "SandboxError" %}[Sandbox Error] {{ message | default: "sandbox failed" }}' +
  '{% elsif ok %}{% assign out = stdout | rstrip %}{% assign err = stderr | rstrip %}' +
  '{% if out == "" and err == "" %}(no output){% else %}{{ out }}{% if out != "" and err != "" %}\n{% endif %}{% if err != "" %}[stderr]: {{ err }}{% endif %}{% endif %}' +
  '{% else %}[Execution {{ status }}]\n[stdout]: {{ stdout }}\n[stderr/error]: {{ stderr }}{% endif %}';
const RESPONSE = '<tool_response>\n{{ output }}{% for note in notes %}\n{{ note }}{% endfor %}\n</tool_response>';

/** Format options for `BlockToolResponseFormatter`; `outputChars` of stdout and half as many of stderr are kept. */
export function dsbenchToolResponseFormat(outputChars: number): ToolResponseFormat {
  return { blockTemplate: BLOCK, responseTemplate: RESPONSE, maxOutputChars: outputChars, maxStderrChars: Math.floor(outputChars / 2), trimOutput: false };
}
