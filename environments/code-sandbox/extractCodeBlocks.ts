export interface CodeBlock {
  /** Language tag of the fence, lower-cased (`python`, `bash`, …); empty when the fence has none. */
  readonly language: string;
  readonly code: string;
}

const ALIASES: Record<string, string> = { py: 'python', python3: 'python', sh: 'bash', shell: 'bash', js: 'node', javascript: 'node' };

/** Removes `<think>…</think>` reasoning (and an unclosed trailing `<think>`), whose code blocks must not run. */
export function stripThinking(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/g, '').replace(/<think>[\s\S]*$/, '');
}

/**
 * Fenced code blocks of an action, in order, outside `<think>` blocks. Only languages in `languages` are returned
 * (after alias normalisation: py→python, sh→bash, js→node). An unterminated final fence is ignored.
 */
export function extractCodeBlocks(text: string, languages: readonly string[] = ['python']): CodeBlock[] {
  const visible = stripThinking(text);
  const out: CodeBlock[] = [];
  const fence = /```([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)```/g;
  for (const m of visible.matchAll(fence)) {
    const raw = (m[1] ?? '').toLowerCase();
    const language = ALIASES[raw] ?? raw;
    if (languages.includes(language)) out.push({ language, code: m[2] ?? '' });
  }
  return out;
}
