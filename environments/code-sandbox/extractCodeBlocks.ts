export interface CodeBlock {
  /** Language tag of the fence, lower-cased (`python`, `bash`, …); empty when the fence has none. */
  readonly language: string;
  readonly code: string;
}

const ALIASES: Record<string, string> = {
  py: 'python',
  py3: 'python',
  python3: 'python',
  ipython: 'python',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  js: 'node',
  javascript: 'node',
  nodejs: 'node',
  mjs: 'node',
  cjs: 'node',
};

/** Removes `<think>…</think>` reasoning (and an unclosed trailing `<think>`), whose code blocks must not run. */
export function stripThinking(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/gi, '').replace(/<think>[\s\S]*$/i, '');
}

/** A fence tag after alias normalisation (py→python, sh→bash, js→node, …). */
export function normalizeLanguage(tag: string): string {
  const raw = tag.toLowerCase();
  return ALIASES[raw] ?? raw;
}

/**
 * Fenced code blocks of an action, in order, outside `<think>` blocks. Only languages in `languages` are returned
 * (after alias normalisation: py→python, sh→bash, js→node). A fence is three or more backticks or tildes and is
 * closed by the same sequence, so a ```` block may contain ```. An unterminated final fence is ignored.
 */
export function extractCodeBlocks(text: string, languages: readonly string[] = ['python']): CodeBlock[] {
  const visible = stripThinking(text);
  const out: CodeBlock[] = [];
  const fence = /(`{3,}|~{3,})[ \t]*([A-Za-z0-9_+.#-]*)[^\n]*\n([\s\S]*?)\1/g;
  for (const m of visible.matchAll(fence)) {
    const language = normalizeLanguage(m[2] ?? '');
    if (languages.includes(language)) out.push({ language, code: m[3] ?? '' });
  }
  return out;
}
