import pRetry, { AbortError } from 'p-retry';
import type { Logger } from '../contracts/Logger.js';
import type { RunLogger, RunLoggerEnd, RunLoggerStart } from '../contracts/RunLogger.js';
import { redactString } from '../util/redactSecrets.js';

export interface RunLoggerStats {
  readonly logger: string;
  /** Calls that reached the logger's backend (start, each step, finish). */
  readonly sent: number;
  /** Calls given up on after every retry. */
  readonly failed: number;
  /** Extra attempts made. */
  readonly retries: number;
  /** Calls still queued when the flush time ran out. */
  readonly unsent: number;
  readonly lastError?: string;
}

export interface RunLoggersOptions {
  readonly loggers: ReadonlyArray<{ readonly id: string; readonly logger: RunLogger }>;
  readonly log: Logger;
  /** Attempts after the first, per call of a background logger. */
  readonly retries?: number;
  readonly minRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** How long `finish` waits for background loggers to drain. */
  readonly flushTimeoutMs?: number;
}

interface Lane {
  readonly id: string;
  readonly logger: RunLogger;
  tail: Promise<void>;
  started: boolean;
  sent: number;
  failed: number;
  retries: number;
  queued: number;
  lastError?: string;
}

/**
 * Fans each metrics row out to every configured logger. Inline loggers are awaited; each background logger gets a
 * queue of its own, worked off in order with retries and backoff, so a tracker that is down or slow never blocks or
 * fails the run: its failures are counted and reported when the run ends.
 */
export class RunLoggers {
  readonly #lanes: Lane[];
  readonly #o: RunLoggersOptions;
  #startInfo: RunLoggerStart | undefined;
  #finished: RunLoggerStats[] | undefined;
  /** Aborted when the flush time runs out, so no retry outlives the run. */
  readonly #stop = new AbortController();

  constructor(options: RunLoggersOptions) {
    this.#o = options;
    this.#lanes = options.loggers.map(({ id, logger }) => ({ id, logger, tail: Promise.resolve(), started: false, sent: 0, failed: 0, retries: 0, queued: 0 }));
  }

  get names(): string[] {
    return this.#lanes.map((l) => l.id);
  }

  async start(info: RunLoggerStart): Promise<void> {
    this.#startInfo = info;
    for (const lane of this.#lanes) {
      if (lane.logger.background) this.#enqueue(lane, 'start', async () => this.#ensureStarted(lane));
      else await this.#ensureStarted(lane);
    }
  }

  async log(step: number, metrics: Readonly<Record<string, number | string>>): Promise<void> {
    for (const lane of this.#lanes) {
      const call = async () => {
        // A tracker that was down at start is started before its first row gets through.
        await this.#ensureStarted(lane);
        await lane.logger.log(step, metrics);
      };
      if (lane.logger.background) this.#enqueue(lane, `step ${step}`, call);
      else {
        await call();
        lane.sent++;
      }
    }
  }

  /** Finishes every logger, waiting at most `flushTimeoutMs` for background ones; returns what each sent and lost. */
  async finish(end: RunLoggerEnd): Promise<RunLoggerStats[]> {
    if (this.#finished) return this.#finished;
    for (const lane of this.#lanes) {
      const call = async () => {
        await this.#ensureStarted(lane);
        await lane.logger.finish?.(end);
      };
      if (lane.logger.background) this.#enqueue(lane, 'finish', call);
      else {
        await call();
        lane.sent++;
      }
    }
    const timeoutMs = this.#o.flushTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const drained = await Promise.race([Promise.all(this.#lanes.map((l) => l.tail)).then(() => 'drained' as const), timedOut]);
    clearTimeout(timer);
    if (drained === 'timeout') this.#stop.abort(new Error('gave up at the end of the run'));
    const stats = this.stats();
    for (const s of stats) {
      if (s.failed || s.unsent) {
        this.#o.log.warn(
          `logger ${s.logger}: ${s.failed} call(s) failed after retries, ${s.unsent} not sent` +
            (drained === 'timeout' ? ` (gave up waiting after ${(timeoutMs / 1000).toFixed(0)} s)` : '') +
            (s.lastError ? `; last error: ${s.lastError}` : ''),
        );
      } else if (s.retries) this.#o.log.info(`logger ${s.logger}: everything sent (${s.retries} retried attempt(s))`);
    }
    this.#finished = stats;
    return stats;
  }

  stats(): RunLoggerStats[] {
    return this.#lanes.map((l) => ({
      logger: l.id,
      sent: l.sent,
      failed: l.failed,
      retries: l.retries,
      unsent: l.queued,
      // The last error matters only when something was lost; retried-then-sent calls leave none behind.
      ...(l.lastError !== undefined && (l.failed > 0 || l.queued > 0) ? { lastError: l.lastError } : {}),
    }));
  }

  async #ensureStarted(lane: Lane): Promise<void> {
    if (lane.started) return;
    if (!this.#startInfo) throw new Error('RunLoggers.start was not called');
    await lane.logger.start?.(this.#startInfo);
    lane.started = true;
  }

  #enqueue(lane: Lane, what: string, call: () => Promise<void>): void {
    lane.queued++;
    lane.tail = lane.tail.then(async () => {
      try {
        this.#stop.signal.throwIfAborted();
        await pRetry(
          async () => {
            try {
              await call();
            } catch (err) {
              if ((err as { permanent?: boolean }).permanent) throw new AbortError(err as Error);
              throw err;
            }
          },
          {
            retries: this.#o.retries ?? 4,
            minTimeout: this.#o.minRetryDelayMs ?? 1000,
            maxTimeout: this.#o.maxRetryDelayMs ?? 30_000,
            randomize: false,
            signal: this.#stop.signal,
            onFailedAttempt: ({ error, retriesLeft }) => {
              // Kept so a lane still retrying at the end says why.
              lane.lastError = redactString(`${what}: ${error.message}`).slice(0, 500);
              if (retriesLeft > 0) lane.retries++;
            },
          },
        );
        lane.sent++;
        lane.queued--;
      } catch (err) {
        // Work cut off by the end of the run stays counted as unsent.
        if (this.#stop.signal.aborted) return;
        lane.failed++;
        lane.queued--;
        lane.lastError = redactString(`${what}: ${(err as Error).message}`).slice(0, 500);
        this.#o.log.debug(`logger ${lane.id}: ${lane.lastError}`);
      }
    });
  }
}
