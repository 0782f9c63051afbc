// Learners made ahead, their workspaces already running: starting a workspace is most of a new
// visitor's wait for a prompt, so the next visitor takes one made earlier (with its session) and
// another is made at once. A spare is nobody's yet: never idle, not counted against the cap on
// running workspaces, and made only while the lab has room for it.

export interface Spare { learnerId: string; token: string }

export interface SpareOptions {
  /** How many spares to keep ready (0: none, every visitor waits for a workspace of their own). */
  count: number;
  /** A new learner and their session token (the store's). */
  create(): Spare;
  /** Starts a learner's workspace; never throws. */
  prepare(learnerId: string): Promise<void>;
  /** Places left under the cap on running workspaces, spares not counted. */
  room(): Promise<number>;
}

export class SpareLearners {
  readonly #options: SpareOptions;
  /** Spares not taken yet, oldest first: their workspaces running or starting. */
  readonly #spares: Spare[] = [];
  #closed = false;
  #filling = false;

  constructor(options: SpareOptions) {
    this.#options = options;
  }

  /** Whether a learner is a spare no visitor has taken yet. */
  has(learnerId: string): boolean {
    return this.#spares.some((spare) => spare.learnerId === learnerId);
  }

  /**
   * A spare for a new visitor, if there is one (its workspace may still be starting: that start is
   * further along than a new one). Another is made to take its place once the caller calls fill()
   * (when the visitor's own workspace and shell are ready, not competing with them).
   */
  take(): Spare | undefined {
    return this.#spares.shift();
  }

  /** Makes spares up to the count, one after another, while the lab has room for them. */
  fill(): void {
    if (this.#closed || this.#filling || this.#spares.length >= this.#options.count) return;
    this.#filling = true;
    void (async () => {
      while (!this.#closed && this.#spares.length < this.#options.count && (await this.#options.room()) > 0) {
        const spare = this.#options.create();
        this.#spares.push(spare);
        await this.#options.prepare(spare.learnerId);
      }
    })().catch((error: unknown) => console.error('spares: could not make one:', error)).finally(() => { this.#filling = false; });
  }

  close(): void {
    this.#closed = true;
  }
}
