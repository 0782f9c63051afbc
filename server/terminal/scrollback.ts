// A bounded record of a shell's latest output, replayed to a reconnecting browser.

export class Scrollback {
  readonly #capacity: number;
  #chunks: Buffer[] = [];
  #size = 0;

  /** @param capacity most bytes kept; older output is dropped first. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  push(chunk: Buffer): void {
    if (chunk.length >= this.#capacity) {
      this.#chunks = [Buffer.from(chunk.subarray(chunk.length - this.#capacity))];
      this.#size = this.#capacity;
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size > this.#capacity) {
      const first = this.#chunks[0]!;
      const excess = this.#size - this.#capacity;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#size -= first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#size -= excess;
      }
    }
  }

  /** The kept output as one buffer, oldest first. */
  snapshot(): Buffer {
    return Buffer.concat(this.#chunks, this.#size);
  }
}
