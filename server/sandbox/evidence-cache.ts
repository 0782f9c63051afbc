// What a check learned from an image, kept by image id. An image id is the digest of its content,
// so running the same image again with the same command under the same limits tells nothing new;
// a learner who presses "Check" again (or a class pressing it at once) costs no new container.
// Bounded: the least recently used answers go first.

export class EvidenceCache<T> {
  readonly #entries = new Map<string, T>();
  readonly #limit: number;

  constructor(limit = 2_000) {
    this.#limit = limit;
  }

  /** The cached answer for `key`, or `compute()`'s, kept when `keep` says it is worth keeping. */
  async get(key: string, compute: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
    if (this.#entries.has(key)) {
      const value = this.#entries.get(key)!;
      this.#entries.delete(key); // re-insert: a Map keeps insertion order, so this marks it recent
      this.#entries.set(key, value);
      return value;
    }
    const value = await compute();
    if (keep(value)) {
      this.#entries.set(key, value);
      if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value!);
    }
    return value;
  }

  get size(): number {
    return this.#entries.size;
  }
}
