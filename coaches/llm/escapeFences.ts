/**
 * The fence tags the coach templates put around text agents and tools control. Inside that text they are escaped
 * (`</agent_output>` → `&lt;/agent_output>`), so an action can quote them but never close its fence and write
 * instructions outside it.
 */
const FENCE_TAG = /<(\s*\/?\s*(?:agent_input|agent_output|tool_output|previous_actions?|ground_truth)\b[^>]*)>/gi;

export function escapeFences(text: string): string {
  return text.replace(FENCE_TAG, '&lt;$1>');
}
