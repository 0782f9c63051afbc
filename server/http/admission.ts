// Who may become a learner, and whose workspace may start: a cap on this server's workspaces running
// at once, and a rate of new learners per address. Pages create nothing; only a stateful request
// (a terminal, a check, a join, POST /api/session) asks here. A learner whose workspace already runs
// is never refused: the cap only decides who may start one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RateLimit } from './rate-limit.ts';

/** Why a request is refused, as the learner reads it (HTTP JSON, or a terminal close reason ≤ 123 bytes). */
export interface Refusal { status: 503 | 429; message: string; retryAfterSeconds: number }

/** What a limit answers: the value made, or why not. */
export type Admitted<T> = { ok: true; value: T } | { ok: false; error: Refusal };

/** Makes a new learner for a stateful request (their cookie set on `res`), or says why not. */
export type NewLearner = (req: IncomingMessage, res: ServerResponse) => Promise<Admitted<string>>;

export interface AdmissionOptions {
  maxWorkspaces: number;
  newLearnersPerAddress: number;
  /** Learners of this server whose workspace runs now (asks the engines). */
  running: () => Promise<Set<string>>;
  now?: () => number;
}

/** The window of the per-address rate: long enough that a class joining over a few minutes fits in one. */
export const NEW_LEARNER_WINDOW_MS = 10 * 60_000;
/** How long one answer of the engines is reused: a class retrying every few seconds asks them once a second. */
const SNAPSHOT_MS = 1_000;
/** A workspace let in is counted as running until the engines list it, or this long (opening has 30 s). */
const START_GRACE_MS = 60_000;

export const labFull = (running: number): Refusal => ({
  status: 503,
  message: `The lab is full: ${running} workspace${running === 1 ? ' is' : 's are'} running. Try again in a few minutes.`,
  retryAfterSeconds: 60,
});

export class Admission {
  readonly #options: AdmissionOptions;
  readonly #now: () => number;
  readonly #newLearners: RateLimit;
  /** Learners let in whose workspace the engines may not list yet, with when. */
  readonly #starting = new Map<string, number>();
  #snapshot: { at: number; ids: Promise<Set<string>> } | undefined;

  constructor(options: AdmissionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#newLearners = new RateLimit(options.newLearnersPerAddress, NEW_LEARNER_WINDOW_MS);
  }

  /**
   * Makes a new learner with `create` unless the lab is full or `address` has started its share of
   * new learners in this window. The check and `create` run with no await between them.
   */
  async newLearner<T>(address: string, create: () => T): Promise<Admitted<T>> {
    const { live } = this.#count(await this.#snapshotNow());
    if (live.size >= this.#options.maxWorkspaces) return { ok: false, error: labFull(live.size) };
    const now = this.#now();
    if (this.#newLearners.exhausted(address, now)) {
      const minutes = Math.max(1, Math.ceil(this.#newLearners.retryAfter(address, now) / 60_000));
      return { ok: false, error: {
        status: 429,
        message: `Too many new learners from your network (${this.#options.newLearnersPerAddress} in 10 minutes). Try again in ${minutes} min.`,
        retryAfterSeconds: minutes * 60,
      } };
    }
    this.#newLearners.take(address, now);
    return { ok: true, value: create() };
  }

  /**
   * Lets `learnerId` open their workspace: at once if it runs (or is starting), else if the lab has
   * room, holding a place for it while it starts. The check and the hold run with no await between
   * them, so a class opening at once cannot pass the cap together.
   */
  async workspace(learnerId: string): Promise<Refusal | undefined> {
    const { running, live } = this.#count(await this.#snapshotNow());
    if (running.has(learnerId) || this.#starting.has(learnerId)) return undefined;
    if (live.size >= this.#options.maxWorkspaces) return labFull(live.size);
    this.#starting.set(learnerId, this.#now());
    return undefined;
  }

  /** Places left under the cap on running workspaces. */
  async room(): Promise<number> {
    return this.#options.maxWorkspaces - this.#count(await this.#snapshotNow()).live.size;
  }

  /** The engines' latest answer (reused for SNAPSHOT_MS), with when it was asked. */
  async #snapshotNow(): Promise<{ at: number; running: Set<string> }> {
    const asked = this.#now();
    if (!this.#snapshot || asked - this.#snapshot.at > SNAPSHOT_MS) {
      this.#snapshot = { at: asked, ids: this.#options.running().catch(() => new Set<string>()) };
    }
    const { at, ids } = this.#snapshot;
    return { at, running: await ids };
  }

  /**
   * Running workspaces, and those plus the ones let in but not yet listed. Synchronous: callers
   * count and decide in one turn, with no await between (several may wait on one answer).
   */
  #count({ at, running }: { at: number; running: Set<string> }): { running: Set<string>; live: Set<string> } {
    const now = this.#now();
    for (const [id, since] of this.#starting) {
      // Listed by an answer asked after it was let in, or past its grace: no longer a separate hold.
      if ((running.has(id) && at >= since) || now - since > START_GRACE_MS) this.#starting.delete(id);
    }
    return { running, live: new Set([...running, ...this.#starting.keys()]) };
  }
}
