// Live gradebooks: a server-sent event each time a learner of the class gets a new grade (a check,
// an override, a regrade), so the instructor's open gradebook refreshes. Bounded per instructor.
import type { EventEmitter } from 'node:events';
import type http from 'node:http';
import type { Store } from '../store/index.ts';
import { fail } from './respond.ts';

/** Open live gradebooks per instructor, at most: each holds a connection. */
const MAX_STREAMS = 8;
const KEEP_ALIVE_MS = 25_000;

export class GradebookStreams {
  readonly #open = new Map<number, number>();
  readonly #store: Store;
  readonly #changes: EventEmitter;

  constructor(store: Store, changes: EventEmitter) {
    this.#store = store;
    this.#changes = changes;
  }

  open(instructorId: number, classId: number, req: http.IncomingMessage, res: http.ServerResponse): void {
    const open = this.#open.get(instructorId) ?? 0;
    if (open >= MAX_STREAMS) return fail(res, 429, 'too many open gradebooks');
    this.#open.set(instructorId, open + 1);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': live gradebook\n\n');
    const onChange = (learnerId: string) => {
      // Removed and merged learners too: a restore or a merged entry's attempts change the grid.
      if (this.#store.everyLearnerOf(classId).has(learnerId)) res.write('event: grades\ndata: {}\n\n');
    };
    this.#changes.on('learner', onChange);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    req.on('close', () => {
      clearInterval(keepAlive);
      this.#changes.off('learner', onChange);
      this.#open.set(instructorId, (this.#open.get(instructorId) ?? 1) - 1);
    });
  }
}
