// Live checks: while a learner has a lesson page open, what their gateway reports (a build ended,
// an image was tagged or removed) re-runs that lesson's checks, and the results are pushed to the
// page over server-sent events. Nothing polls the engine; nobody watching means nothing runs.
// The terminal knows nothing of this: the events come from the sandbox, the results from grading.
import type http from 'node:http';
import type { CheckResult } from '../../src/schemas/checks.ts';
import type { LessonLab } from '../grading/index.ts';

/** Streams one learner may hold open at once (tabs), and all learners together. */
const STREAMS_PER_LEARNER = 4;
const STREAMS_IN_ALL = 2_000;
/** Changes this close together (a build, then its tags) make one grading run. */
const SETTLE_MS = 150;
const KEEP_ALIVE_MS = 25_000;

export interface LiveChecksDeps {
  labs: Map<string, LessonLab>;
  /** Runs and records a lesson's checks for a learner. */
  grade(learnerId: string, lab: LessonLab): Promise<CheckResult[]>;
  /** The latest stored results of a lesson, any override of it and the instructor's latest comment on it, for a page that has just opened. */
  latest(learnerId: string, lab: LessonLab): { results: CheckResult[]; override?: { points: number; reason: string }; comment?: { text: string; instructor: string } };
}

interface Stream { learnerId: string; slug: string; res: http.ServerResponse }

export class LiveChecks {
  readonly #deps: LiveChecksDeps;
  readonly #streams = new Set<Stream>();
  readonly #pending = new Map<string, NodeJS.Timeout>();
  readonly #running = new Map<string, Promise<void>>();

  constructor(deps: LiveChecksDeps) {
    this.#deps = deps;
  }

  /** GET /api/lessons/<slug>/events: the learner's results as they change. */
  open(learnerId: string, lab: LessonLab, req: http.IncomingMessage, res: http.ServerResponse): { ok: true } | { ok: false; status: number; error: string } {
    const mine = [...this.#streams].filter((s) => s.learnerId === learnerId);
    if (mine.length >= STREAMS_PER_LEARNER || this.#streams.size >= STREAMS_IN_ALL) return { ok: false, status: 429, error: 'too many open lesson pages' };
    const stream: Stream = { learnerId, slug: lab.slug, res };
    this.#streams.add(stream);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    // One truth on arrival: what the store holds now, the instructor's override included.
    send(res, 'latest', this.#deps.latest(learnerId, lab));
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    req.on('close', () => {
      clearInterval(keepAlive);
      this.#streams.delete(stream);
    });
    return { ok: true };
  }

  /** The learner's images changed: re-run the checks of each lesson they are looking at. */
  changed(learnerId: string): void {
    for (const slug of new Set([...this.#streams].filter((s) => s.learnerId === learnerId).map((s) => s.slug))) {
      const key = `${learnerId} ${slug}`;
      clearTimeout(this.#pending.get(key));
      this.#pending.set(key, setTimeout(() => {
        this.#pending.delete(key);
        void this.#run(learnerId, slug);
      }, SETTLE_MS));
    }
  }

  /** Results of a check someone ran (the Check button) reach the learner's other open pages too. */
  publish(learnerId: string, slug: string, results: CheckResult[]): void {
    for (const stream of this.#streams) if (stream.learnerId === learnerId && stream.slug === slug) send(stream.res, 'results', results);
  }

  async #run(learnerId: string, slug: string): Promise<void> {
    const key = `${learnerId} ${slug}`;
    // One run at a time per learner and lesson; a change during a run makes one more run after it.
    const before = this.#running.get(key) ?? Promise.resolve();
    const run = before.then(async () => {
      const lab = this.#deps.labs.get(slug);
      if (!lab || ![...this.#streams].some((s) => s.learnerId === learnerId && s.slug === slug)) return;
      try {
        this.publish(learnerId, slug, await this.#deps.grade(learnerId, lab));
      } catch (error) {
        console.error('live checks: grading failed', error);
      }
    });
    this.#running.set(key, run);
    await run;
    if (this.#running.get(key) === run) this.#running.delete(key);
  }
}

function send(res: http.ServerResponse, event: string, data: unknown): void {
  if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
