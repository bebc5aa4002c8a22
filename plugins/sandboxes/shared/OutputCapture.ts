/**
 * Keeps the head and the tail of a byte stream up to `limit` bytes in total and counts the rest, so a flood of
 * output costs bounded memory while the beginning (what ran) and the end (the final error) both survive.
 */
export class OutputCapture {
  readonly #headLimit: number;
  readonly #tailLimit: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #total = 0;

  constructor(readonly limit: number) {
    this.#headLimit = Math.ceil(limit / 2);
    this.#tailLimit = limit - this.#headLimit;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    if (this.#headBytes < this.#headLimit) {
      const take = Math.min(chunk.length, this.#headLimit - this.#headBytes);
      this.#head.push(chunk.subarray(0, take));
      this.#headBytes += take;
      chunk = chunk.subarray(take);
      if (chunk.length === 0) return;
    }
    if (this.#tailLimit <= 0) return;
    this.#tail.push(chunk);
    this.#tailBytes += chunk.length;
    // Drop whole chunks from the front while the rest still covers the tail; trim once in `text()`.
    while (this.#tail.length > 1 && this.#tailBytes - this.#tail[0]!.length >= this.#tailLimit) {
      this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  /** Total bytes seen. */
  get totalBytes(): number {
    return this.#total;
  }

  get truncated(): boolean {
    return this.#total > this.limit;
  }

  /** The captured text; when bytes were dropped, a visible marker in the middle says how many. */
  text(): string {
    const head = Buffer.concat(this.#head);
    if (!this.truncated) return Buffer.concat([head, ...this.#tail]).toString('utf8');
    const tailAll = Buffer.concat(this.#tail);
    const tail = tailAll.subarray(Math.max(0, tailAll.length - this.#tailLimit));
    const omitted = this.#total - head.length - tail.length;
    return `${head.toString('utf8')}\n…[output truncated: ${omitted} bytes omitted]…\n${tail.toString('utf8')}`;
  }
}
