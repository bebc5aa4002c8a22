import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { TINY_DIR } from '../fakes/tinyPipeline.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** One episode of a code-sandbox (bubblewrap) pipeline whose scripted agent replies `replies` in order. */
async function episodeOf(replies: string[]): Promise<EpisodeRecord> {
  const raw = {
    name: 'tool-files',
    tasks: { use: 'inline', tasks: [{ id: 't0', prompt: 'write notes', answer: 42, split: 'test' }] },
    environment: { use: 'code-sandbox', sandbox: { use: 'bubblewrap' }, answerPattern: 'ANSWER:\\s*(\\d+)' },
    policies: { p: { use: 'scripted', replies } },
    agents: [{ id: 'writer', role: 'Writer', policy: 'p', prompt: 'prompts/agent.liquid', tools: ['python', 'write_file'], maxActions: 3 }],
    coach: { use: 'tool-call-rule' },
    run: { steps: 0, eval: { atEnd: false }, report: false },
  };
  const result = await validatePipeline(raw, { registry: createBuiltinRegistry(), baseDir: TINY_DIR });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const runDir = await mkdtemp(join(tmpdir(), 'mappa-tool-files-'));
  dirs.push(runDir);
  const run = await createRun({ pipeline: result.pipeline, runDir, logger: silentLogger });
  try {
    await run.runner.train();
  } finally {
    await run.dispose();
  }
  const file = (await readdir(join(runDir, 'episodes'))).find((f) => f.startsWith('eval'))!;
  return JSON.parse((await readFile(join(runDir, 'episodes', file), 'utf8')).trim().split('\n')[0]!) as EpisodeRecord;
}

const writeCall = (path: string, content: string) => `<tool_call>{"name":"write_file","arguments":${JSON.stringify({ path, content })}}</tool_call>`;

describe('files written by function tools are credited to the action that called them', () => {
  it('write_file in action 0 and a code block in action 1: each action is credited with its own files', async () => {
    const episode = await episodeOf([writeCall('notes/a.txt', 'hello'), '```python\nopen("b.txt","w").write("x")\n```', 'ANSWER: 42']);
    const [call, code, answer] = episode.actions;
    expect(call!.toolCalls.map((c) => [c.tool, c.status, c.output.split('\n')[0]])).toEqual([['write_file', 'ok', 'wrote notes/a.txt']]);
    expect(call!.filesWritten.map((f) => [f.path, f.writtenBy, f.actionIndex, f.bytes])).toEqual([['notes/a.txt', 'writer', 0, 5]]);
    // Before, the tool's file went uncredited until the next code block, which then claimed it.
    expect(code!.filesWritten.map((f) => [f.path, f.actionIndex])).toEqual([['b.txt', 1]]);
    expect(answer!.filesWritten).toEqual([]);
    expect(episode.artifacts.map((f) => [f.path, f.writtenBy, f.actionIndex])).toEqual([
      ['b.txt', 'writer', 1],
      ['notes/a.txt', 'writer', 0],
    ]);
    expect(episode.outcome?.correct).toBe(true);
  }, 30_000);

  it('a file rewritten by a later tool call moves to that action; a failed call credits nothing', async () => {
    const episode = await episodeOf([writeCall('a.txt', 'one'), `${writeCall('a.txt', 'three')}<tool_call>{"name":"write_file","arguments":{"path":"../x"}}</tool_call>`, 'ANSWER: 1']);
    const [first, second] = episode.actions;
    expect(first!.filesWritten.map((f) => [f.path, f.actionIndex, f.bytes])).toEqual([['a.txt', 0, 3]]);
    expect(second!.toolCalls.map((c) => c.status)).toEqual(['ok', 'error']);
    expect(second!.filesWritten.map((f) => [f.path, f.actionIndex, f.bytes])).toEqual([['a.txt', 1, 5]]);
    expect(episode.artifacts.map((f) => [f.path, f.actionIndex])).toEqual([['a.txt', 1]]);
  }, 30_000);
});
