import type { Logger } from '../../../core/contracts/Logger.js';
import type { RunCodeRequest, RunCodeResponse, SandboxWorkspace } from '../../../core/contracts/Sandbox.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { createLogger } from '../../../core/util/createLogger.js';
import { findExecutable } from '../shared/findExecutable.js';
import { HostSandbox } from '../shared/HostSandbox.js';
import { hostSandboxSettings } from '../shared/hostSandboxConfig.js';
import { LocalUnsafeLauncher } from './LocalUnsafeLauncher.js';
import { LocalUnsafeSandboxConfig, type LocalUnsafeSandboxOptions } from './localUnsafeSandboxPlugin.js';

const WARNING = 'local-unsafe sandbox: running agent code WITHOUT isolation (it can read your files, use the network and see your processes)';

/** No isolation: same limits and clean environment as bubblewrap, and a warning through the logger on every run. */
export class LocalUnsafeSandbox extends HostSandbox {
  /** Warnings logged so far (one per run). */
  warnings = 0;

  readonly #warn = (request: Pick<RunCodeRequest, 'language'>) => {
    this.warnings++;
    (this.logger ?? fallbackLogger()).warn(WARNING, { language: request.language, warnings: this.warnings });
  };

  override async run(request: RunCodeRequest): Promise<RunCodeResponse> {
    this.#warn(request);
    return super.run(request);
  }

  override async openWorkspace(options?: { readonly seedFiles?: Readonly<Record<string, Uint8Array>> }): Promise<SandboxWorkspace> {
    const ws = await super.openWorkspace(options);
    return {
      hostDir: ws.hostDir,
      run: (request) => {
        this.#warn(request);
        return ws.run(request);
      },
      close: () => ws.close(),
    };
  }
}

let defaultLogger: Logger | undefined;
const fallbackLogger = () => (defaultLogger ??= createLogger());

/** The local-unsafe sandbox without DI; refuses to start unless `isolation: 'none'` is set. */
export function createLocalUnsafeSandbox(options: LocalUnsafeSandboxOptions, logger?: Logger): LocalUnsafeSandbox {
  if ((options as { isolation?: unknown } | undefined)?.isolation !== 'none') {
    throw new MappaError('the local-unsafe sandbox runs agent code without any isolation and is not enabled', {
      hint: 'set isolation: none in its config to accept that, or use the bubblewrap sandbox (environment.sandbox.use: bubblewrap)',
    });
  }
  const config = LocalUnsafeSandboxConfig.parse(options);
  const prlimitPath = findExecutable('prlimit');
  if (!prlimitPath) throw new MappaError('the local-unsafe sandbox needs prlimit', { hint: 'install the apt package util-linux' });
  const launcher = new LocalUnsafeLauncher({ prlimitPath, workRoot: config.workRoot, interpreters: config.interpreters });
  return new LocalUnsafeSandbox('local-unsafe', hostSandboxSettings(config), launcher, logger);
}
