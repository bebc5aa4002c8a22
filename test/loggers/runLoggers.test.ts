import { describe, expect, it } from 'vitest';
import { PermanentLoggerError, type RunLogger } from '../../core/contracts/RunLogger.js';
import { RunLoggers } from '../../core/runner/RunLoggers.js';
import { silentLogger } from '../../core/util/createLogger.js';

const START = { runDir: '/r', runName: 'r', pipelineName: 'p', config: {} };
const END = { status: 'finished' as const, step: 2, artifacts: [] };

describe('RunLoggers', () => {
  it('a tracker that hangs never blocks the loop: log returns at once, finish gives up after the flush time and counts what is unsent', async () => {
    const hanging: RunLogger = { name: 'hang', background: true, log: () => new Promise(() => {}) };
    const seen: number[] = [];
    const inline: RunLogger = { name: 'inline', background: false, log: async (step) => void seen.push(step) };
    const hub = new RunLoggers({ loggers: [{ id: 'hang', logger: hanging }, { id: 'inline', logger: inline }], log: silentLogger, flushTimeoutMs: 200 });
    await hub.start(START);
    const t0 = performance.now();
    for (let step = 0; step < 3; step++) await hub.log(step, { step, x: step });
    expect(performance.now() - t0).toBeLessThan(100);
    expect(seen).toEqual([0, 1, 2]);
    const t1 = performance.now();
    const stats = await hub.finish(END);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(190);
    expect(performance.now() - t1).toBeLessThan(2000);
    expect(stats).toEqual([
      { logger: 'hang', sent: 1, failed: 0, retries: 0, unsent: 4 },
      { logger: 'inline', sent: 4, failed: 0, retries: 0, unsent: 0 },
    ]);
  });

  it('retries transient errors, does not retry permanent ones, and restarts a tracker whose start failed', async () => {
    let starts = 0;
    let logs = 0;
    const flaky: RunLogger = {
      name: 'flaky',
      background: true,
      start: async () => {
        if (++starts <= 6) throw new Error('connection refused'); // down for the whole first start (1 + 4 retries) and once more
      },
      log: async (step) => {
        logs++;
        if (step === 2) throw new PermanentLoggerError('HTTP 400: bad metric');
      },
    };
    const hub = new RunLoggers({ loggers: [{ id: 'flaky', logger: flaky }], log: silentLogger, minRetryDelayMs: 1, maxRetryDelayMs: 2 });
    await hub.start(START);
    for (let step = 1; step <= 3; step++) await hub.log(step, { step, x: 1 });
    const [s] = await hub.finish(END);
    // start failed after 5 attempts (counted), step 1 started it on the 2nd attempt, step 2 failed once without retry.
    expect(starts).toBe(7);
    expect(logs).toBe(3);
    expect(s).toEqual({ logger: 'flaky', sent: 3, failed: 2, retries: 5, unsent: 0, lastError: 'step 2: HTTP 400: bad metric' });
  });

  it('an inline logger error stops the run (a full disk must not be silent)', async () => {
    const broken: RunLogger = { name: 'jsonl', background: false, log: async () => Promise.reject(new Error('ENOSPC')) };
    const hub = new RunLoggers({ loggers: [{ id: 'jsonl', logger: broken }], log: silentLogger });
    await hub.start(START);
    await expect(hub.log(1, { step: 1 })).rejects.toThrow('ENOSPC');
  });
});
