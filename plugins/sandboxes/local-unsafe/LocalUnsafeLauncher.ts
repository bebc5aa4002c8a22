import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Launch, LaunchRequest, Launcher } from '../shared/Launcher.js';
import { CODE_FILE, DEFAULT_INTERPRETERS, baseEnv, prlimitArgs } from '../shared/Launcher.js';

/**
 * Runs the interpreter directly under prlimit, in the workspace, with the same cleaned environment as the real
 * sandbox but no isolation at all: the code sees the host's files, network and processes. The code file and HOME
 * live in a temporary directory outside the workspace.
 */
export class LocalUnsafeLauncher implements Launcher {
  constructor(
    readonly o: {
      readonly prlimitPath: string;
      readonly workRoot?: string | undefined;
      readonly interpreters: Readonly<Partial<Record<'python' | 'node' | 'bash', string | undefined>>>;
    },
  ) {}

  async launch(r: LaunchRequest): Promise<Launch> {
    const scratch = await mkdtemp(join(this.o.workRoot ?? tmpdir(), 'mappa-unsafe-'));
    const codePath = join(scratch, CODE_FILE[r.language]);
    await writeFile(codePath, r.code);
    const interpreter = this.o.interpreters[r.language] ?? DEFAULT_INTERPRETERS[r.language];
    return {
      command: this.o.prlimitPath,
      args: [...prlimitArgs(r.limits), '--', interpreter, codePath],
      env: { ...r.env, ...baseEnv({ home: scratch, workspace: r.workspaceDir, tmp: scratch, runId: r.runId }) },
      cwd: r.workspaceDir,
      cleanup: () => rm(scratch, { recursive: true, force: true }),
    };
  }
}
