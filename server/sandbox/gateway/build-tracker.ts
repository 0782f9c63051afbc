// Reads the classic builder's output as it streams, to learn which images a build made: the id
// after each step, the result of each stage (the last id before the next FROM) and the final
// image. The id printed right after a FROM is the base the stage starts from, never the learner's.
export interface Tracked {
  outcome: 'built' | 'failed' | 'interrupted';
  /** Ids as the engine printed them: short (12 hex) for steps and stages, full for the final image. */
  final?: string;
  stages: string[];
  steps: string[];
}

const LOG_BYTES = 8 * 1024;

export class BuildTracker {
  readonly #steps: string[] = [];
  readonly #stages: string[] = [];
  #afterFrom = false;
  #stageLast: string | undefined;
  #final: string | undefined;
  #failed = false;
  #log = '';

  /** One line of the engine's JSON stream. */
  feed(line: string): void {
    let message: { stream?: unknown; aux?: { ID?: unknown }; error?: unknown; errorDetail?: unknown };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    if (message.error !== undefined || message.errorDetail !== undefined) this.#failed = true;
    if (typeof message.aux?.ID === 'string') this.#final = message.aux.ID;
    if (typeof message.stream !== 'string') return;
    for (const text of message.stream.split('\n')) this.#line(text);
  }

  /** The end of the output, for the record (in whatever names the caller gives it). */
  log(text: string): void {
    this.#log = (this.#log + text).slice(-LOG_BYTES);
  }

  get logTail(): string {
    return this.#log;
  }

  #line(text: string): void {
    const clean = text.replace(/\x1b\[[0-9;]*m/g, '');
    const step = /^Step \d+\/\d+ : (\S+)/.exec(clean);
    if (step) {
      const isFrom = step[1]!.toUpperCase() === 'FROM';
      if (isFrom && this.#stageLast) this.#stages.push(this.#stageLast);
      if (isFrom) this.#stageLast = undefined;
      this.#afterFrom = isFrom;
      return;
    }
    const id = /^ ---> ([0-9a-f]{12})$/.exec(clean)?.[1];
    if (id) {
      if (!this.#afterFrom) {
        this.#steps.push(id);
        this.#stageLast = id;
      }
      this.#afterFrom = false;
      return;
    }
    const built = /^Successfully built ([0-9a-f]{12})$/.exec(clean)?.[1];
    if (built && !this.#final) this.#final = built;
  }

  result(): Tracked {
    const final = this.#failed ? undefined : this.#final;
    return {
      outcome: this.#failed ? 'failed' : final ? 'built' : 'interrupted',
      final,
      // A failed build's last stage never finished; its steps still exist and are the learner's.
      stages: this.#stages,
      steps: this.#steps,
    };
  }
}
