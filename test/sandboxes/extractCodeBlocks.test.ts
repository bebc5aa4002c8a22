import { describe, expect, it } from 'vitest';
import { extractCodeBlocks, normalizeLanguage, stripThinking } from '../../environments/code-sandbox/extractCodeBlocks.js';

describe('extractCodeBlocks', () => {
  it('returns fenced blocks of the requested languages in order, with aliases normalised', () => {
    const text = 'First:\n```python\nprint(1)\n```\nthen\n```py\nprint(2)\n```\n```sh\necho 3\n```\n```js\nconsole.log(4)\n```\n```text\nnope\n```';
    expect(extractCodeBlocks(text)).toEqual([
      { language: 'python', code: 'print(1)\n' },
      { language: 'python', code: 'print(2)\n' },
    ]);
    expect(extractCodeBlocks(text, ['python', 'bash', 'node']).map((b) => b.language)).toEqual(['python', 'python', 'bash', 'node']);
  });

  it('ignores blocks inside <think>, including an unclosed trailing one', () => {
    const text = '<think>try\n```python\nimport os; os.system("rm -rf /")\n```\n</think>Answer:\n```python\nprint(42)\n```\n<THINK>more\n```python\nprint("hidden")\n```';
    expect(extractCodeBlocks(text)).toEqual([{ language: 'python', code: 'print(42)\n' }]);
    expect(stripThinking('a<think>b</think>c<think>d')).toBe('ac');
  });

  it('handles longer fences, tildes, info strings, CRLF and unterminated fences', () => {
    expect(extractCodeBlocks('````python\nprint("```")\n````')).toEqual([{ language: 'python', code: 'print("```")\n' }]);
    expect(extractCodeBlocks('~~~python\nx = 1\n~~~')).toEqual([{ language: 'python', code: 'x = 1\n' }]);
    expect(extractCodeBlocks('```python title="a.py"\nx = 2\n```')).toEqual([{ language: 'python', code: 'x = 2\n' }]);
    expect(extractCodeBlocks('```python\r\nx = 3\r\n```')).toEqual([{ language: 'python', code: 'x = 3\r\n' }]);
    expect(extractCodeBlocks('```python\nprint(1)')).toEqual([]);
    expect(extractCodeBlocks('no code here')).toEqual([]);
    expect(extractCodeBlocks('```\nuntagged\n```')).toEqual([]);
    expect(extractCodeBlocks('```\nuntagged\n```', [''])).toEqual([{ language: '', code: 'untagged\n' }]);
  });

  it('normalises language tags', () => {
    expect(['PY', 'python3', 'ipython', 'shell', 'zsh', 'JavaScript', 'nodejs', 'bash'].map(normalizeLanguage)).toEqual([
      'python', 'python', 'python', 'bash', 'bash', 'node', 'node', 'bash',
    ]);
  });
});
