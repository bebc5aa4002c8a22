import type { Logger } from '../core/contracts/Logger.js';

/** Work done after a run ends (normally or on Ctrl-C), e.g. writing the HTML report. */
export type AfterRunHook = (runDir: string, logger: Logger) => Promise<void>;

export const afterRunHooks: AfterRunHook[] = [];
