import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../../core/util/createLogger.js';
import { PluginFactory } from '../../core/plugins/PluginFactory.js';
import type { PluginRef } from '../../core/plugins/pluginRef.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { describeToolConformance } from '../conformance/toolConformance.js';
import { MCP_TEST_SERVER_FILE } from '../fakes/mcpTestServer.mjs';

const factory = new PluginFactory(createBuiltinRegistry(), { runDir: '/tmp', cacheDir: '/tmp', baseDir: '/tmp', seed: 0, signal: new AbortController().signal }, silentLogger);
const make = (ref: PluginRef) => () => factory.create('tool', ref, 'agents[0].tools[0]');
// A workspace that is a plain host directory with one file in it (the file tools need nothing more).
const plainWorkspace = async (dir: string) => {
  await writeFile(join(dir, 'notes.txt'), 'hello tools');
  return undefined;
};

describeToolConformance('calculator', { create: make({ use: 'calculator' }), sample: { tool: 'calculator', args: { expression: '6*7' }, output: (t) => t === '42' } });
describeToolConformance('submit_answer', { create: make({ use: 'submit_answer' }), sample: { tool: 'submit_answer', args: { answer: 5 }, output: (t) => t === 'ANSWER: 5' } });
describeToolConformance('read_file', { create: make({ use: 'read_file' }), workspace: plainWorkspace, sample: { tool: 'read_file', args: { path: 'notes.txt' }, output: (t) => t === 'hello tools' } });
describeToolConformance('write_file', { create: make({ use: 'write_file', name: 'save' }), sample: { tool: 'save', args: { path: 'a/b.txt', content: 'x' }, output: (t) => t.startsWith('wrote a/b.txt') } });
describeToolConformance('list_files', { create: make({ use: 'list_files' }), workspace: plainWorkspace, sample: { tool: 'list_files', args: {}, output: (t) => t === 'notes.txt (11 bytes)' } });
describeToolConformance('python (own bubblewrap sandbox)', { create: make({ use: 'python' }), sample: { tool: 'python', args: { code: 'print(6*7)' }, output: (t) => t === '42' } });
describeToolConformance('mcp (stdio)', { create: make({ use: 'mcp', command: [process.execPath, MCP_TEST_SERVER_FILE] }), sample: { tool: 'add', args: { a: 2, b: 3 }, output: (t) => t === '5' } });

describe('file tools stay inside the workspace', () => {
  it('answers paths outside it and symlinks out of it with error results', async () => {
    const { mkdtemp, rm, symlink } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { ToolExecutor } = await import('../../core/tools/ToolExecutor.js');
    const dir = await mkdtemp(join(tmpdir(), 'mappa-file-tools-'));
    try {
      await symlink('/etc/hostname', join(dir, 'link.txt'));
      const source = await make({ use: 'read_file' })();
      const session = await source.open({ episodeId: 'e', agentId: 'a', workDir: dir, signal: new AbortController().signal });
      const tools = new Map(session.tools.map((t) => [t.name, t]));
      const r = await new ToolExecutor().execute(
        [
          { id: 'a', name: 'read_file', arguments: '{"path":"../../etc/passwd"}' },
          { id: 'b', name: 'read_file', arguments: '{"path":"/etc/passwd"}' },
          { id: 'c', name: 'read_file', arguments: '{"path":"link.txt"}' },
        ],
        tools,
        { episodeId: 'e', agentId: 'a', actionIndex: 0, workDir: dir, seed: 0, signal: new AbortController().signal },
      );
      expect(r.calls.map((c) => c.status)).toEqual(['error', 'error', 'error']);
      expect(r.messages[0]!.content).toMatch(/not a relative path inside the workspace/);
      expect(r.messages[2]!.content).toBe('error: no file link.txt in the workspace');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
