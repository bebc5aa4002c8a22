import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../core/runner/ProgressReporter.js';

const fieldsText = (fields: Readonly<Record<string, string | number>>) =>
  Object.entries(fields)
    .map(([k, v]) => `${k} ${v}`)
    .join(' · ');

/**
 * Progress bars (cli-progress) with ETA and live figures on a terminal; on a pipe or in CI, one line per
 * finished task plus a line every `intervalMs` for long ones, so logs stay readable.
 */
export function createCliProgress(options: { stream?: NodeJS.WriteStream; intervalMs?: number } = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY) return new BarProgress(stream);
  return new LineProgress(stream, options.intervalMs ?? 15000);
}

class BarProgress implements ProgressReporter {
  readonly #multi: cliProgress.MultiBar;
  readonly #bars = new Map<string, cliProgress.SingleBar>();

  constructor(stream: NodeJS.WriteStream) {
    this.#multi = new cliProgress.MultiBar(
      {
        stream,
        format: ' {label} |{bar}| {value}/{total} · {duration_formatted} · ETA {eta_formatted} {fields}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
  }
  start(id: string, label: string, total: number): void {
    this.stop(id);
    this.#bars.set(id, this.#multi.create(total, 0, { label: label.padEnd(14), fields: '' }));
  }
  update(id: string, done: number, fields?: Readonly<Record<string, string | number>>): void {
    this.#bars.get(id)?.update(done, fields ? { fields: fieldsText(fields) } : {});
  }
  stop(id: string): void {
    const bar = this.#bars.get(id);
    if (bar) {
      this.#multi.remove(bar);
      this.#bars.delete(id);
    }
  }
  log(line: string): void {
    this.#multi.log(line + '\n');
  }
  close(): void {
    this.#multi.stop();
  }
}

class LineProgress implements ProgressReporter {
  readonly #tasks = new Map<string, { label: string; total: number; done: number; start: number; last: number; fields: string }>();
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly intervalMs: number,
  ) {}
  start(id: string, label: string, total: number): void {
    const now = Date.now();
    this.#tasks.set(id, { label, total, done: 0, start: now, last: now, fields: '' });
  }
  update(id: string, done: number, fields?: Readonly<Record<string, string | number>>): void {
    const t = this.#tasks.get(id);
    if (!t) return;
    t.done = done;
    if (fields) t.fields = fieldsText(fields);
    const now = Date.now();
    if (now - t.last >= this.intervalMs) {
      t.last = now;
      const elapsed = (now - t.start) / 1000;
      const eta = done > 0 ? (elapsed / done) * (t.total - done) : NaN;
      this.stream.write(`  ${t.label}: ${done}/${t.total} · ${elapsed.toFixed(0)} s · ETA ${Number.isFinite(eta) ? eta.toFixed(0) + ' s' : '–'} ${t.fields}\n`);
    }
  }
  stop(id: string): void {
    this.#tasks.delete(id);
  }
  log(line: string): void {
    this.stream.write(line + '\n');
  }
  close(): void {
    this.#tasks.clear();
  }
}
