import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { RunCodeRequest, SandboxLanguage } from '../../core/contracts/Sandbox.js';
import { PluginFactory } from '../../core/plugins/PluginFactory.js';
import { createLogger } from '../../core/util/createLogger.js';
import { MappaError } from '../../core/util/MappaError.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';

interface ExecOptions {
  language?: SandboxLanguage;
  sandbox: string;
  baseUrl?: string;
  isolation?: string;
  timeout?: number;
  memory?: number;
  cpuTime?: number;
  maxProcesses?: number;
  maxFileSize?: number;
  maxOutput?: number;
  maxWorkspace?: number;
  maxWorkspaceFiles?: number;
  stdin?: string;
  file?: string[];
  fetch?: string[];
  compact?: boolean;
}

const BY_EXTENSION: Record<string, SandboxLanguage> = { '.py': 'python', '.js': 'node', '.mjs': 'node', '.cjs': 'node', '.sh': 'bash', '.bash': 'bash' };

function positive(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

const collect = (value: string, previous: string[]) => [...previous, value];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Sandbox config from the limit flags (host sandboxes take them all; sandboxfusion only per-request limits). */
function sandboxRef(o: ExecOptions): { use: string; [k: string]: unknown } {
  if (o.sandbox === 'sandboxfusion') {
    const hostOnly = [o.cpuTime, o.maxProcesses, o.maxFileSize, o.maxOutput, o.maxWorkspace, o.maxWorkspaceFiles].some((v) => v !== undefined);
    if (hostOnly) throw new MappaError('--cpu-time, --max-processes, --max-file-size, --max-output and --max-workspace do not apply to sandboxfusion', { hint: 'the server enforces its own limits; --timeout and --memory are sent with the request' });
    if (!o.baseUrl) throw new MappaError('--sandbox sandboxfusion needs --base-url', { hint: 'e.g. --base-url http://127.0.0.1:8080' });
    return { use: 'sandboxfusion', baseURL: o.baseUrl };
  }
  return {
    use: o.sandbox,
    ...(o.sandbox === 'local-unsafe' && o.isolation !== undefined ? { isolation: o.isolation } : {}),
    ...(o.timeout !== undefined ? { runTimeout: o.timeout } : {}),
    ...(o.memory !== undefined ? { memoryLimitMb: o.memory } : {}),
    ...(o.cpuTime !== undefined ? { cpuTimeLimit: o.cpuTime } : {}),
    ...(o.maxProcesses !== undefined ? { maxProcesses: o.maxProcesses } : {}),
    ...(o.maxFileSize !== undefined ? { maxFileSizeMb: o.maxFileSize } : {}),
    ...(o.maxOutput !== undefined ? { maxOutputBytes: o.maxOutput } : {}),
    ...(o.maxWorkspace !== undefined ? { maxWorkspaceMb: o.maxWorkspace } : {}),
    ...(o.maxWorkspaceFiles !== undefined ? { maxWorkspaceFiles: o.maxWorkspaceFiles } : {}),
  };
}

export function registerSandboxCommand(program: Command): void {
  const sandbox = program.command('sandbox').description('run code in a sandbox (the one agents use)');
  sandbox
    .command('exec')
    .description('run a file (or - for stdin) in a sandbox and print the JSON response; exit 0 when the sandbox worked, whatever the code did')
    .argument('<file>', 'code file, or - to read the code from stdin')
    .addOption(new Option('-l, --language <language>', 'python, node or bash (default: from the file extension, else python)').choices(['python', 'node', 'bash']))
    .addOption(new Option('--sandbox <name>', 'sandbox plugin').choices(['bubblewrap', 'local-unsafe', 'sandboxfusion']).default('bubblewrap'))
    .option('--base-url <url>', 'SandboxFusion server (with --sandbox sandboxfusion)')
    .option('--isolation <none>', 'must be "none" with --sandbox local-unsafe')
    .option('--timeout <seconds>', 'wall-clock limit', positive('--timeout'))
    .option('--memory <mb>', 'address-space limit in MB', positive('--memory'))
    .option('--cpu-time <seconds>', 'CPU-time limit', positive('--cpu-time'))
    .option('--max-processes <n>', 'process/thread limit', positive('--max-processes'))
    .option('--max-file-size <mb>', 'largest file the code may write', positive('--max-file-size'))
    .option('--max-output <bytes>', 'bytes of stdout and of stderr kept', positive('--max-output'))
    .option('--max-workspace <mb>', 'workspace disk quota', positive('--max-workspace'))
    .option('--max-workspace-files <n>', 'files and directories the workspace may hold', positive('--max-workspace-files'))
    .option('--stdin <file>', 'file whose content is the code\'s stdin')
    .option('--file <name=path>', 'input file placed in the working directory (repeatable)', collect, [])
    .option('--fetch <glob>', 'file or glob to return after the run, base64 in "files" (repeatable)', collect, [])
    .option('--compact', 'print the JSON on one line')
    .action(async (file: string, o: ExecOptions) => {
      const code = file === '-' ? await readStdin() : await readFile(resolve(file), 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new MappaError(`cannot read ${file}: ${err.code ?? err.message}`);
      });
      const language = o.language ?? (file === '-' ? 'python' : (BY_EXTENSION[extname(file)] ?? 'python'));
      const files: Record<string, string> = {};
      for (const spec of o.file ?? []) {
        const eq = spec.indexOf('=');
        const [name, path] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [spec.split('/').pop()!, spec];
        files[name] = (await readFile(resolve(path))).toString('base64');
      }
      const request: RunCodeRequest = {
        code,
        language,
        ...(o.timeout !== undefined ? { runTimeout: o.timeout } : {}),
        ...(o.memory !== undefined ? { memoryLimitMb: o.memory } : {}),
        ...(o.stdin !== undefined ? { stdin: await readFile(resolve(o.stdin), 'utf8') } : {}),
        ...(Object.keys(files).length ? { files } : {}),
        ...(o.fetch?.length ? { fetchFiles: o.fetch } : {}),
      };
      const cwd = process.cwd();
      const run = { runDir: cwd, cacheDir: cwd, baseDir: cwd, seed: 0, signal: new AbortController().signal };
      const factory = new PluginFactory(createBuiltinRegistry(), run, createLogger({ level: 'warn' }));
      const instance = await factory.create('sandbox', sandboxRef(o), 'sandbox');
      try {
        const response = await instance.run(request);
        process.stdout.write(JSON.stringify(response, null, o.compact ? undefined : 2) + '\n');
        if (response.status === 'SandboxError') process.exitCode = 1;
      } finally {
        await instance.dispose?.();
      }
    });
}
