// A bounded record of a shell's latest output, replayed to a reconnecting browser.

/**
 * Output arrives in small pieces (a typed key's echo is one to three bytes), and each Buffer costs
 * over 300 bytes beside its own: kept one by one, 256 KiB of one-byte echoes held 88 MB here, and the
 * soak bench's server grew with every key typed. Pieces are joined until they reach this size.
 */
const JOIN_UNDER = 8 * 1024;

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
    const last = this.#chunks.at(-1);
    if (last && last.length + chunk.length <= JOIN_UNDER) this.#chunks[this.#chunks.length - 1] = Buffer.concat([last, chunk]);
    else this.#chunks.push(chunk);
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

  /** How many buffers hold the kept output. */
  get pieces(): number {
    return this.#chunks.length;
  }

  /** The kept output as one buffer, oldest first. */
  snapshot(): Buffer {
    return Buffer.concat(this.#chunks, this.#size);
  }
}
