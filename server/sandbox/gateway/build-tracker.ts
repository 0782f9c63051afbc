// Reads the classic builder's output as it streams, to learn which images a build made: the id
// printed after each step, and the final image from the engine's own `aux` message. A step's
// output shares the stream and can print anything, ids and "Step" lines included: so the printed
// ids are only candidates, which build.ts keeps only if the engine made them during this build.
export interface Tracked {
  outcome: 'built' | 'failed' | 'interrupted';
  /** The final image's full id, from the engine's last `aux` message. */
  final?: string;
  /** Each earlier stage's result, from the engine's `aux` message at the end of that stage. */
  stages: string[];
  /** Every id printed as a step's result (12 hex), in order. */
  printed: string[];
  /** Every container printed as a step's ("Running in" 12 hex): candidates, as output can print that too. */
  containers: string[];
}

const LOG_BYTES = 8 * 1024;

export class BuildTracker {
  readonly #printed: string[] = [];
  readonly #containers: string[] = [];
  readonly #aux: string[] = [];
  /** Ids printed right after " ---> Using cache": images the build took, not made. */
  readonly #fromCache = new Set<string>();
  #usingCache = false;
  #failed = false;
  #log = '';

  /**
   * One line of the engine's JSON stream. Returns what a learner who asked for a quiet build
   * (`docker build -q`) sees of it: errors, and the final id (the engine is always asked for the
   * whole output, which is what lists the images a build made).
   */
  feed(line: string): string | undefined {
    let message: { stream?: unknown; aux?: { ID?: unknown }; error?: unknown; errorDetail?: unknown };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return undefined;
    }
    if (message.error !== undefined || message.errorDetail !== undefined) {
      this.#failed = true;
      return line;
    }
    if (typeof message.aux?.ID === 'string') {
      this.#aux.push(message.aux.ID);
      return undefined;
    }
    if (typeof message.stream === 'string') {
      for (const text of message.stream.split('\n')) {
        const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
        const id = /^ ---> ([0-9a-f]{12})$/.exec(plain)?.[1];
        if (id) this.#printed.push(id);
        if (id && this.#usingCache) this.#fromCache.add(id);
        if (id || plain === ' ---> Using cache') this.#usingCache = plain === ' ---> Using cache';
        const container = /^ ---> Running in ([0-9a-f]{12})$/.exec(plain)?.[1];
        if (container && this.#containers.length < 1000) this.#containers.push(container);
      }
    }
    return undefined;
  }

  /** The end of the output, for the record (in whatever names the caller gives it). */
  log(text: string): void {
    this.#log = (this.#log + text).slice(-LOG_BYTES);
  }

  /** How many step images the output has printed so far. */
  get printedCount(): number {
    return this.#printed.length;
  }

  /** The step images printed after the first `count`. */
  printedSince(count: number): string[] {
    return this.#printed.slice(count);
  }

  /**
   * Whether the image was printed as taken from the build cache. A step's own output can print the
   * words too, which only makes one of the learner's own images count as not made here (safe).
   */
  fromCache(imageId: string): boolean {
    return this.#fromCache.has(imageId.replace(/^sha256:/, '').slice(0, 12));
  }

  /** Whether the engine has reported an error yet. */
  get failed(): boolean {
    return this.#failed;
  }

  get logTail(): string {
    return this.#log;
  }

  /** What a quiet build prints once the engine is done: the final image's id. */
  quietEnd(): string {
    const final = this.#failed ? undefined : this.#aux.at(-1);
    return final ? `${JSON.stringify({ stream: `${final}\n` })}\n` : '';
  }

  /**
   * `complete`: the engine's stream ended by itself. A build cut short (Ctrl+C, the lab's time limit,
   * a restart) built nothing, whatever stage results it announced before.
   */
  result(complete: boolean): Tracked {
    // The engine sends an aux message as each stage with an image ends; the last one is the image built.
    const built = !this.#failed && complete && this.#aux.length > 0;
    const final = built ? this.#aux.at(-1) : undefined;
    const stages = built ? this.#aux.slice(0, -1) : this.#aux;
    return { outcome: this.#failed ? 'failed' : built ? 'built' : 'interrupted', final, stages, printed: this.#printed, containers: this.#containers };
  }
}
