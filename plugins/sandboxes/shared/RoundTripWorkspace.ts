import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunCodeRequest, RunCodeResponse, Sandbox, SandboxWorkspace } from '../../../core/contracts/Sandbox.js';
import { listWorkspaceFiles, safeReadFile, safeWriteFile } from './workspaceFiles.js';

/**
 * Workspace mode for a sandbox that only has stateless runs (e.g. SandboxFusion): the files live in a local
 * directory, are sent with every run as base64, and the files the run returns (`fetch`, default every file when the
 * server supports globs) are written back. Costs a base64 round-trip per run, which native workspaces avoid.
 */
export class RoundTripWorkspace implements SandboxWorkspace {
  private constructor(
    readonly hostDir: string,
    private readonly sandbox: Sandbox,
    private readonly fetch: readonly string[],
    private readonly maxBytes: number,
  ) {}

  static async open(
    sandbox: Sandbox,
    options: { readonly seedFiles?: Readonly<Record<string, Uint8Array>>; readonly fetch?: readonly string[]; readonly maxBytes?: number } = {},
  ): Promise<RoundTripWorkspace> {
    const dir = await mkdtemp(join(tmpdir(), 'mappa-rtws-'));
    for (const [path, data] of Object.entries(options.seedFiles ?? {})) await safeWriteFile(dir, path, data);
    return new RoundTripWorkspace(dir, sandbox, options.fetch ?? ['**'], options.maxBytes ?? 64 * 1024 * 1024);
  }

  async run(request: Omit<RunCodeRequest, 'files' | 'fetchFiles'>): Promise<RunCodeResponse> {
    const files: Record<string, string> = {};
    let budget = this.maxBytes;
    for (const entry of await listWorkspaceFiles(this.hostDir)) {
      if (entry.bytes > budget) continue;
      const data = await safeReadFile(this.hostDir, entry.path);
      if (!data) continue;
      budget -= data.length;
      files[entry.path] = data.toString('base64');
    }
    const response = await this.sandbox.run({ ...request, files, fetchFiles: [...new Set([...this.fetch, ...Object.keys(files)])] });
    for (const [path, b64] of Object.entries(response.files)) await safeWriteFile(this.hostDir, path, Buffer.from(b64, 'base64'));
    return { ...response, files: {} };
  }

  async close(): Promise<void> {
    await rm(this.hostDir, { recursive: true, force: true });
  }
}

/** The sandbox's own workspace when it has one, otherwise a round-trip emulation (`fetch`: what it fetches back). */
export async function openWorkspaceFor(
  sandbox: Sandbox,
  options: { readonly seedFiles?: Readonly<Record<string, Uint8Array>>; readonly fetch?: readonly string[] } = {},
): Promise<SandboxWorkspace> {
  if (sandbox.openWorkspace) return sandbox.openWorkspace(options.seedFiles ? { seedFiles: options.seedFiles } : {});
  return RoundTripWorkspace.open(sandbox, options);
}
