import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger, LogLevel } from '../contracts/Logger.js';
import { redactString } from './redactSecrets.js';
import { appendSecretFreeSync } from './writeSecretFree.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  /** Minimum level printed to the console. */
  readonly level?: LogLevel;
  /** JSON-lines log file (every level is written). */
  readonly file?: string;
  /** Console sink; defaults to stderr. Progress bars route through here so lines do not tear the bars. */
  readonly write?: (line: string) => void;
}

/** A small structured logger: JSON lines to a file, readable lines to the console. Secrets are masked in both. */
export function createLogger(options: LoggerOptions = {}): Logger & { setWrite(write: (line: string) => void): void } {
  const min = ORDER[options.level ?? 'info'];
  let write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  if (options.file) mkdirSync(dirname(options.file), { recursive: true });
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    const msg = redactString(message);
    if (options.file) {
      const record = { time: new Date().toISOString(), level, msg, ...(fields ?? {}) };
      appendSecretFreeSync(options.file, JSON.stringify(record) + '\n');
    }
    if (ORDER[level] >= min) {
      const extra = fields && Object.keys(fields).length ? ' ' + redactString(JSON.stringify(fields)) : '';
      write(`${level === 'info' ? '' : level.toUpperCase() + ': '}${msg}${extra}`);
    }
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    setWrite(w) {
      write = w;
    },
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
