import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import type { RunCodeResponse, Sandbox } from '../../core/contracts/Sandbox.js';

/** The per-episode folder agents' code runs in. */
export interface DsbenchWorkspace {
  /** Host path of the files (what the file tracker scans and the grader reads). */
  readonly hostDir: string;
  /** `workspace`: the sandbox keeps the files; `stateless`: files are sent and fetched on every run. */
  readonly mode: 'workspace' | 'stateless';
  run(code: string, options: { readonly runTimeout: number; readonly memoryLimitMb?: number | undefined }): Promise<RunCodeResponse>;
  close(): Promise<void>;
}

async function listFlat(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
}

/**
 * Opens a workspace seeded with the task files: the sandbox's own `openWorkspace()` when it has one, otherwise a host
 * folder whose files are uploaded with every run and whose outputs matching `fetchFiles` are fetched back (how the
 * reference pipeline drives the stateless SandboxFusion).
 */
export async function openDsbenchWorkspace(
  sandbox: Sandbox,
  seedFiles: Readonly<Record<string, Uint8Array>>,
  fallbackDir: string,
  fetchFiles: readonly string[],
): Promise<DsbenchWorkspace> {
  if (sandbox.openWorkspace) {
    const ws = await sandbox.openWorkspace({ seedFiles });
    return {
      hostDir: ws.hostDir,
      mode: 'workspace',
      run: (code, o) => ws.run({ code, language: 'python', runTimeout: o.runTimeout, ...(o.memoryLimitMb ? { memoryLimitMb: o.memoryLimitMb } : {}) }),
      close: () => ws.close(),
    };
  }
  await mkdir(fallbackDir, { recursive: true });
  for (const [name, bytes] of Object.entries(seedFiles)) await writeFile(join(fallbackDir, name), bytes);
  return {
    hostDir: fallbackDir,
    mode: 'stateless',
    run: async (code, o) => {
      const files: Record<string, string> = {};
      for (const name of await listFlat(fallbackDir)) files[name] = (await readFile(join(fallbackDir, name))).toString('base64');
      const res = await sandbox.run({ code, language: 'python', runTimeout: o.runTimeout, files, fetchFiles, ...(o.memoryLimitMb ? { memoryLimitMb: o.memoryLimitMb } : {}) });
      for (const [rel, b64] of Object.entries(res.files)) {
        const target = normalize(join(fallbackDir, rel));
        // A sandbox must not make us write outside the workspace.
        if (!target.startsWith(fallbackDir + sep)) continue;
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, Buffer.from(b64, 'base64'));
      }
      return res;
    },
    close: async () => {},
  };
}
