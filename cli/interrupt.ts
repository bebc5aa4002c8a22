import { setMaxListeners } from 'node:events';

/**
 * First Ctrl-C: abort the run signal so the runner stops after the episodes in flight and keeps what finished.
 * Second Ctrl-C: exit at once.
 */
export function interruptSignal(say: (line: string) => void): AbortSignal & { dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      say(`\n${sig}: stopping after the episodes in flight (finished work is kept). Press Ctrl-C again to quit now.`);
      controller.abort(new Error(`interrupted by ${sig}`));
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Many plugins listen on the run signal (one listener per in-flight request); that is expected, not a leak.
  setMaxListeners(0, controller.signal);
  return Object.assign(controller.signal, {
    /** Removes the handlers once the run is over, so they do not outlive it. */
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  });
}
