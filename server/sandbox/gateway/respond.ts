// Answers to the learner's CLI: our own JSON, refusals in the engine's error shape, and engine answers
// relayed with the learner's names put back.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { AnswerTooLarge, budgetOf, readHeld, type AnswerBudget } from './engine.ts';
import { LIMITS } from '../policy.ts';
import { API_VERSION, type Refusal } from './police.ts';

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'API-Version': API_VERSION });
  res.end(body);
}

/** A refusal as the engine words errors, so the CLI prints `Error response from daemon: …`. */
export function sendRefusal(req: http.IncomingMessage, res: http.ServerResponse, refusal: Refusal): void {
  // Drain what the client is still sending (a build context), discarding it. Closing the connection
  // instead would cut the CLI off mid-upload, and it would report a broken pipe, not our message.
  req.resume();
  if (res.headersSent) return void res.destroy();
  sendJson(res, refusal.status, { message: refusal.message });
}

export function engineUnavailable(res: http.ServerResponse): void {
  if (res.headersSent) return void res.destroy();
  sendJson(res, 503, { message: 'Stagecraft: the Docker Engine behind this lab is not answering; try again in a moment' });
}

/**
 * Relays an engine answer. 'json': streamed with names put back; with a `transform` (e.g. drop what
 * the learner does not own, which needs the engine's names), a list is read element by element and
 * each element is passed to `transform` as a list of one (so transforms must work element-wise:
 * filter and map), and any other answer is read whole within the learner's budget. 'lines': streamed
 * line by line with names put back (build output). 'raw': streamed untouched (container logs are the
 * learner's own program output). Nothing here holds more than one list element or one bounded
 * answer, so the server's memory does not grow with what learners create.
 */
export function relay(answer: http.IncomingMessage, res: http.ServerResponse, mode: 'json' | 'lines' | 'raw',
  toLearner: (text: string) => string, options: RelayOptions = {}): void {
  const { transform } = options;
  const headers: Record<string, string> = { 'API-Version': API_VERSION };
  const type = answer.headers['content-type'];
  if (typeof type === 'string') headers['Content-Type'] = type;
  const status = answer.statusCode ?? 502;
  if (mode === 'json' && transform && status < 300) return relayTransformed(answer, res, status, headers, toLearner, transform);
  if (typeof answer.headers['content-length'] === 'string' && mode === 'raw') headers['Content-Length'] = answer.headers['content-length'];
  res.writeHead(status, headers);
  // The engine answers `wait` with headers first and the body only at exit; the CLI starts the
  // container only after it has those headers, so pass them on at once.
  res.flushHeaders();
  if (mode === 'raw') return void answer.pipe(res);
  answer.setEncoding('utf8');
  pipeText(answer, res, mode === 'lines' ? linesOf(toLearner) : namesOf(toLearner), '', options);
}

export interface RelayOptions {
  transform?: (value: unknown) => unknown;
  /** Done before the answer ends (a build's record). */
  beforeEnd?: () => Promise<void>;
  /** The last line sent, instead of a cut connection, when the engine's answer breaks off (the
   * engine stopped mid-build): the CLI prints it rather than `unexpected EOF`. */
  brokenLine?: string;
}

/** Text in pieces that `toLearner` may be applied to one at a time; `undefined` flushes the end. */
type Pieces = (text: string | undefined) => string;

/** Build output: whole lines only (the engine ends every message with one). */
function linesOf(toLearner: (text: string) => string): Pieces {
  let carry = '';
  return (chunk) => {
    if (chunk === undefined) return toLearner(carry);
    const text = carry + chunk;
    const cut = text.lastIndexOf('\n') + 1;
    carry = text.slice(cut);
    return cut > 0 ? toLearner(text.slice(0, cut)) : '';
  };
}

// Engine names are made of these characters only, so a cut just after any other one (a quote, a
// comma, a brace) never splits a name; a longer run than NAME_RUN is the learner's own text (a label
// value, a command) and is cut anyway, so the carry stays small.
const NAME_CHARS = new Uint8Array(128).map((_, c) => Number(/[A-Za-z0-9_.:/@-]/.test(String.fromCharCode(c))));
const NAME_RUN = 64 * 1024;

/** A JSON answer passed on as it comes, names put back, holding at most one run of name characters. */
export function namesOf(toLearner: (text: string) => string): Pieces {
  let carry = '';
  return (chunk) => {
    if (chunk === undefined) return toLearner(carry);
    // The carry is all name characters, so the last other character, if any, is in the new chunk.
    let cut = chunk.length;
    while (cut > 0 && NAME_CHARS[chunk.charCodeAt(cut - 1)] === 1) cut--;
    const text = carry + chunk;
    cut = cut > 0 ? carry.length + cut : text.length > NAME_RUN ? text.length - 256 : 0;
    carry = text.slice(cut);
    return toLearner(text.slice(0, cut));
  };
}

/**
 * Pipes text through `pieces` with backpressure: a learner who does not read holds the engine's
 * answer, not our memory. `initial` is text already read from the answer.
 */
function pipeText(answer: http.IncomingMessage, res: http.ServerResponse, pieces: Pieces, initial = '', { beforeEnd, brokenLine }: RelayOptions = {}): void {
  const write = (out: string) => {
    if (out && !res.writableEnded && !res.write(out)) {
      answer.pause();
      res.once('drain', () => answer.resume());
    }
  };
  answer.on('data', (chunk: string) => write(pieces(chunk)));
  // `beforeEnd` (a build's record) is done before the answer ends: what the learner runs next sees it.
  answer.on('end', () => {
    const last = pieces(undefined);
    void (beforeEnd?.() ?? Promise.resolve()).catch(() => undefined).then(() => { if (!res.writableEnded) res.end(last); });
  });
  answer.on('error', () => {
    if (brokenLine && !res.writableEnded && !res.destroyed) res.end(brokenLine);
    else res.destroy();
  });
  res.on('close', () => answer.destroy());
  if (initial) write(pieces(initial));
  answer.resume();
}

function relayTransformed(answer: http.IncomingMessage, res: http.ServerResponse, status: number, headers: Record<string, string>,
  toLearner: (text: string) => string, transform: (value: unknown) => unknown): void {
  const budget = budgetOf(answer);
  const unreadable = () => sendJson(res, 502, { message: 'Stagecraft: the engine\'s answer was too large or unreadable' });
  answer.setEncoding('utf8');
  let first = '';
  const decide = (chunk: string) => {
    first += chunk;
    const start = first.trimStart();
    if (!start) return;
    answer.off('data', decide);
    answer.pause();
    if (start.startsWith('[')) {
      res.writeHead(status, headers);
      let written = 0;
      const elements = new ArrayElements(budget, (text) => {
        let kept: unknown;
        try {
          kept = transform([JSON.parse(text)]);
        } catch {
          return false; // not JSON: the answer is cut off below
        }
        if (!Array.isArray(kept)) return false;
        return kept.map((item) => `${written++ > 0 ? ',' : ''}${toLearner(JSON.stringify(item))}`).join('');
      });
      res.on('close', () => elements.done()); // gives back what an unfinished element held
      let opened = false;
      // A list that cannot be read or held is cut off: the CLI reports the broken answer, never a short list.
      return pipeText(answer, res, (piece) => {
        const out = piece === undefined ? (elements.done() ? ']' : undefined) : elements.feed(piece);
        if (out === undefined) {
          res.destroy();
          return '';
        }
        const prefix = opened ? '' : '[';
        opened = true;
        return prefix + out;
      }, first);
    }
    // Not a list (one image's inspect): read whole, within the budget.
    const rest = readHeld(answer, budget, LIMITS.answerBytes - Buffer.byteLength(first));
    res.on('close', () => answer.destroy());
    answer.resume();
    rest.then((held) => {
      let text: string;
      try {
        text = toLearner(JSON.stringify(transform(JSON.parse(first + held.bytes.toString('utf8')))));
      } catch {
        return unreadable(); // never pass on what could not be filtered
      } finally {
        held.release();
      }
      res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(text);
    }, (error: unknown) => (error instanceof AnswerTooLarge ? unreadable() : res.destroy()));
  };
  answer.on('data', decide);
  answer.on('end', () => {
    if (first.trim() || res.headersSent) return;
    res.writeHead(status, headers);
    res.end(first);
  });
  answer.on('error', () => res.destroy());
}

/**
 * Splits a JSON list, fed as text in pieces, into its elements, holding one element at a time (in
 * the learner's budget). Each element's text goes to `onElement`, which returns what to write for
 * it, or false when it could not be read. An element longer than LIMITS.answerBytes is skipped
 * (whoever made it; a neighbour's huge object must not break everyone's list).
 */
export class ArrayElements {
  readonly #budget: AnswerBudget;
  readonly #onElement: (text: string) => string | false;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #open = false;
  #closed = false;
  #held: string[] = [];
  #size = 0;
  #skipping = false;
  #failed = false;

  constructor(budget: AnswerBudget, onElement: (text: string) => string | false) {
    this.#budget = budget;
    this.#onElement = onElement;
  }

  /** What to write for this piece; undefined when the list is unreadable or cannot be held. */
  feed(text: string): string | undefined {
    let out = '';
    let start = this.#open ? 0 : -1;
    for (let i = 0; i < text.length && !this.#failed; i++) {
      const c = text.charCodeAt(i);
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === 0x5c) this.#escaped = true;
        else if (c === 0x22) this.#inString = false;
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (this.#depth === 0) {
        if (c !== 0x5b || this.#closed) this.#failed = true;
        this.#depth = 1;
        continue;
      }
      if (this.#depth === 1 && (c === 0x2c || c === 0x5d)) {
        if (this.#open) out += this.#finish(text.slice(start, i));
        else if (c === 0x2c) this.#failed = true;
        start = -1;
        if (c === 0x5d) [this.#depth, this.#closed] = [0, true];
        continue;
      }
      if (!this.#open) [this.#open, start] = [true, i];
      if (c === 0x22) this.#inString = true;
      else if (c === 0x7b || c === 0x5b) this.#depth++;
      else if (c === 0x7d || c === 0x5d) this.#depth--;
    }
    if (this.#open && start >= 0 && !this.#failed) this.#hold(text.slice(start));
    return this.#failed ? undefined : out;
  }

  /** Whether the whole list was read. */
  done(): boolean {
    this.#drop();
    return this.#closed && !this.#failed;
  }

  #hold(piece: string): void {
    if (this.#skipping) return;
    if (this.#size + piece.length > LIMITS.answerBytes) {
      console.info(JSON.stringify({ event: 'answer_element_skipped', bytes: this.#size + piece.length }));
      this.#drop();
      this.#skipping = true;
      return;
    }
    if (!this.#budget.take(piece.length)) {
      this.#failed = true;
      return;
    }
    this.#size += piece.length;
    this.#held.push(piece);
  }

  #finish(last: string): string {
    this.#hold(last);
    const text = this.#skipping || this.#failed ? undefined : this.#held.join('');
    this.#drop();
    this.#open = false;
    this.#skipping = false;
    if (text === undefined) return '';
    const out = this.#onElement(text);
    if (out === false) this.#failed = true;
    return out || '';
  }

  #drop(): void {
    this.#budget.give(this.#size);
    this.#held = [];
    this.#size = 0;
  }
}

/** A raw HTTP answer on a socket that was about to be upgraded. */
export function writeRaw(socket: Duplex, status: number, contentType: string, body: Buffer): void {
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString('utf8')}`);
}

export function writeRawJson(socket: Duplex, status: number, value: unknown): void {
  writeRaw(socket, status, 'application/json', Buffer.from(JSON.stringify(value)));
}
