import { z } from 'zod';
import type { Tool } from '../../../core/contracts/Tool.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { defineTool, staticToolSource } from '../../../core/tools/defineTool.js';
import { listWorkspaceFiles, safeReadFile, safeWriteFile, workspacePath } from '../../sandboxes/shared/workspaceFiles.js';

const NameConfig = z.strictObject({
  name: z.string().optional().describe('Tool name the policy sees (default: the plugin name)'),
  maxBytes: z.number().int().min(1).default(20_000).describe('Largest file read or written in one call'),
});
const ListConfig = z.strictObject({ name: z.string().optional().describe('Tool name the policy sees (default: list_files)') });

/** `read_file({ path })`: a text file of the episode workspace (never through symlinks, never outside it). */
export function createReadFileTool(o: { name?: string | undefined; maxBytes?: number } = {}): Tool {
  const max = o.maxBytes ?? 20_000;
  return defineTool({
    name: o.name ?? 'read_file',
    description: 'Reads a text file of the workspace. Paths are relative to the workspace.',
    parameters: z.object({ path: z.string().min(1).describe('Relative path, e.g. data/train.csv') }),
    async execute({ path }, ctx) {
      const data = await safeReadFile(ctx.workDir, workspacePath(path));
      if (!data) return { text: `error: no file ${path} in the workspace`, isError: true };
      if (data.length > max) return `${data.subarray(0, max).toString('utf8')}\n[… ${data.length - max} more bytes not shown]`;
      return data.toString('utf8');
    },
  });
}

/** `write_file({ path, content })`: creates or replaces a text file in the episode workspace. */
export function createWriteFileTool(o: { name?: string | undefined; maxBytes?: number } = {}): Tool {
  const max = o.maxBytes ?? 20_000;
  return defineTool({
    name: o.name ?? 'write_file',
    description: 'Writes a text file in the workspace (creating folders as needed). Paths are relative to the workspace.',
    parameters: z.object({ path: z.string().min(1), content: z.string() }),
    async execute({ path, content }, ctx) {
      const data = Buffer.from(content, 'utf8');
      if (data.length > max) return { text: `error: ${data.length} bytes is over the ${max}-byte limit`, isError: true };
      const rel = workspacePath(path);
      await safeWriteFile(ctx.workDir, rel, data);
      return { text: `wrote ${rel}`, files: [{ path: rel, bytes: data.length }] };
    },
  });
}

/** `list_files()`: every file of the workspace with its size. */
export function createListFilesTool(o: { name?: string | undefined } = {}): Tool {
  return defineTool({
    name: o.name ?? 'list_files',
    description: 'Lists the files of the workspace with their sizes in bytes.',
    parameters: z.object({}),
    async execute(_args, ctx) {
      const files = await listWorkspaceFiles(ctx.workDir);
      return files.length ? files.map((f) => `${f.path} (${f.bytes} bytes)`).join('\n') : '(no files)';
    },
  });
}

const fileToolPlugin = <C extends { name?: string | undefined }>(name: string, description: string, configSchema: z.ZodType<C>, make: (c: C) => Tool) =>
  definePlugin({
    kind: 'tool',
    name,
    description,
    configSchema,
    capabilities: { toolNames: (c: C) => [c.name ?? name] },
    create: (config) => {
      const tool = make(config);
      return staticToolSource(tool.name, [tool]);
    },
  });

export const readFileToolPlugin = fileToolPlugin('read_file', 'Function tool `read_file({ path })`, confined to the episode workspace.', NameConfig, (c) =>
  createReadFileTool(c),
);
export const writeFileToolPlugin = fileToolPlugin('write_file', 'Function tool `write_file({ path, content })`, confined to the episode workspace.', NameConfig, (c) =>
  createWriteFileTool(c),
);
export const listFilesToolPlugin = fileToolPlugin('list_files', 'Function tool `list_files()`: the files of the episode workspace.', ListConfig, (c) => createListFilesTool(c));
