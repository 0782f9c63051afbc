// The gateway's own requests to the engine: always our method, our path, the pinned API version
// and our headers, never the learner's bytes. Answers read whole are held within a byte budget per
// learner and per server, so what learners create cannot grow the server's memory without bound.
import type http from 'node:http';
import { engineRequest, type EngineEndpoint } from '../endpoint.ts';
import { LIMITS } from '../policy.ts';
import { API_VERSION } from './police.ts';

export interface EngineAnswer { status: number; body: unknown; text: string }

/**
 * An engine answer that could not be held: larger than one answer may be, or past the learner's
 * or the server's budget. Callers answer the learner with a 503 (server.ts); it never means "empty".
 */
export class AnswerTooLarge extends Error {}

/** Bytes of engine answers held in memory now; a learner's budget draws on the server's too. */
export class AnswerBudget {
  readonly limit: number;
  readonly #parent: AnswerBudget | undefined;
  #held = 0;

  constructor(limit: number, parent?: AnswerBudget) {
    this.limit = limit;
    this.#parent = parent;
  }

  get held(): number {
    return this.#held;
  }

  /** Takes `bytes` if they fit here and in the parent; false (and nothing taken) if not. */
  take(bytes: number): boolean {
    if (this.#held + bytes > this.limit) return false;
    if (this.#parent && !this.#parent.take(bytes)) return false;
    this.#held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.#held -= bytes;
    this.#parent?.give(bytes);
  }
}

/** One budget for the whole server process: however many learners, buffered answers stay under it. */
export const serverBudget = new AnswerBudget(LIMITS.serverAnswerBytes);

/** The budget of the learner whose request an answer belongs to (respond.ts reads it while relaying). */
const budgets = new WeakMap<http.IncomingMessage, AnswerBudget>();

export function budgetOf(answer: http.IncomingMessage): AnswerBudget {
  return budgets.get(answer) ?? new AnswerBudget(LIMITS.learnerAnswerBytes, serverBudget);
}

export class EngineClient {
  readonly endpoint: EngineEndpoint;
  /** What this learner's answers may hold at once. */
  readonly budget: AnswerBudget;

  constructor(endpoint: EngineEndpoint, budget = new AnswerBudget(LIMITS.learnerAnswerBytes, serverBudget)) {
    this.endpoint = endpoint;
    this.budget = budget;
  }

  /** A request whose answer the caller streams (build output, logs, wait) or relays (respond.ts). */
  request(method: string, path: string, query: URLSearchParams | undefined, headers: Record<string, string>): http.ClientRequest {
    const search = query && query.size > 0 ? `?${query}` : '';
    const req = engineRequest(this.endpoint, { method, path: `/v${API_VERSION}${path}${search}`, headers: { Host: 'docker', ...headers } });
    // Registered before any caller's listener, so the budget is known when the caller sees the answer.
    req.once('response', (answer) => budgets.set(answer, this.budget));
    return req;
  }

  /**
   * A JSON request whose whole answer is read, within the budget (at most `LIMITS.answerBytes`).
   * Rejects when the engine does not answer, and with AnswerTooLarge when the answer cannot be held:
   * never a cut-off answer that would read as an empty list (and pass a quota check).
   */
  json(method: string, path: string, query?: URLSearchParams, body?: unknown): Promise<EngineAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {};
    return new Promise((resolve, reject) => {
      const req = this.request(method, path, query, headers);
      req.on('response', (res) => {
        readHeld(res, this.budget, LIMITS.answerBytes).then((held) => {
          try {
            const text = held.bytes.toString('utf8');
            let parsed: unknown = undefined;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = undefined; // not JSON (e.g. a plain-text error): callers use `text`
            }
            resolve({ status: res.statusCode ?? 502, body: parsed, text });
          } finally {
            held.release();
          }
        }, reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/**
 * Reads an answer whole, holding its bytes in `budget` until `release()`. Rejects with
 * AnswerTooLarge (and stops reading) past `cap` bytes or when the budget has no room left.
 */
export function readHeld(stream: http.IncomingMessage, budget: AnswerBudget, cap: number): Promise<{ bytes: Buffer; release: () => void }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let released = false;
    const release = () => {
      if (!released) budget.give(size);
      released = true;
    };
    stream.on('data', (data: Buffer | string) => {
      if (released) return;
      const chunk = typeof data === 'string' ? Buffer.from(data) : data; // a stream already decoding utf8
      if (size + chunk.length > cap || !budget.take(chunk.length)) {
        release();
        chunks.length = 0;
        stream.destroy();
        return reject(new AnswerTooLarge(`an engine answer passed ${size + chunk.length > cap ? `${cap} bytes` : 'the memory budget'}`));
      }
      size += chunk.length;
      chunks.push(chunk);
    });
    let ended = false;
    stream.on('end', () => {
      ended = true;
      if (!released) resolve({ bytes: Buffer.concat(chunks), release });
    });
    // Cut off (the learner hung up, the engine went away): what was held goes back.
    const stop = (error: Error) => {
      if (ended) return;
      release();
      reject(error);
    };
    stream.on('error', stop);
    stream.on('close', () => stop(new Error('the engine answer was cut off')));
  });
}
