/** Live progress for long work. The CLI shows bars on a terminal and periodic lines otherwise. */
export interface ProgressReporter {
  /** Starts a task with a known number of units. `fields` are live figures shown next to the bar. */
  start(id: string, label: string, total: number): void;
  update(id: string, done: number, fields?: Readonly<Record<string, string | number>>): void;
  stop(id: string): void;
  /** Prints a line without tearing the bars. */
  log(line: string): void;
  close(): void;
}

export const silentProgress: ProgressReporter = {
  start() {},
  update() {},
  stop() {},
  log() {},
  close() {},
};
