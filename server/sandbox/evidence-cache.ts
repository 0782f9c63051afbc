// What a check learned from an image, kept by image id. An image id is the digest of its content,
// so running the same image again with the same command under the same limits tells nothing new;
// a learner who presses "Check" again (or a class pressing it at once) costs no new container.
// Bounded by count and by bytes: the least recently used answers go first.

export class EvidenceCache<T> {
  /** Answers, and answers still being computed (so two checks of one image at once run it once). */
  readonly #entries = new Map<string, { value: Promise<T>; bytes: number }>();
  readonly #limit: number;
  readonly #byteLimit: number;
  readonly #weigh: (value: T) => number;
  #bytes = 0;

  constructor(options: { limit?: number; byteLimit?: number; weigh?: (value: T) => number } = {}) {
    this.#limit = options.limit ?? 2_000;
    this.#byteLimit = options.byteLimit ?? 16 * 1024 ** 2;
    this.#weigh = options.weigh ?? (() => 0);
  }

  /** The cached answer for `key`, or `compute()`'s, kept when `keep` says it is worth keeping. */
  get(key: string, compute: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
    const found = this.#entries.get(key);
    if (found) {
      this.#entries.delete(key); // re-insert: a Map keeps insertion order, so this marks it recent
      this.#entries.set(key, found);
      return found.value;
    }
    const entry = { value: compute(), bytes: 0 };
    this.#entries.set(key, entry);
    const forget = () => { if (this.#entries.get(key) === entry) this.#entries.delete(key); };
    entry.value.then((value) => {
      if (!keep(value) || this.#entries.get(key) !== entry) return forget();
      entry.bytes = this.#weigh(value);
      this.#bytes += entry.bytes;
      this.#trim();
    }, forget);
    return entry.value;
  }

  get size(): number {
    return this.#entries.size;
  }

  #trim(): void {
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#limit && this.#bytes <= this.#byteLimit) return;
      this.#entries.delete(key);
      this.#bytes -= entry.bytes;
    }
  }
}
