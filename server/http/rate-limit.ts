// A fixed-window counter per key (an address, a name): enough to make guessing passwords and join
// codes slow. In memory: a restart resets it, which costs a guesser nothing they did not have.

export class RateLimit {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #hits = new Map<string, { count: number; until: number }>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts one try for `key`; false once the key has used up its window. */
  take(key: string, now = Date.now()): boolean {
    const entry = this.#hits.get(key);
    if (!entry || entry.until <= now) {
      if (this.#hits.size > 10_000) this.#prune(now); // bounded memory under a spray of addresses
      this.#hits.set(key, { count: 1, until: now + this.#windowMs });
      return true;
    }
    entry.count++;
    return entry.count <= this.#limit;
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#hits) if (entry.until <= now) this.#hits.delete(key);
  }
}
