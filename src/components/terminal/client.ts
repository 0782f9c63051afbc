// Terminal socket client: connects to /ws/terminal, reconnects with backoff, acknowledges rendered
// output for the server's flow control, and frames input. No DOM and no xterm: the view hands it a
// TerminalSink (and tests hand it a fake WebSocket), so this file is the unit-tested state machine.
// Flow control after ttyd's html/src/components/terminal/xterm/index.ts (writeData), with byte acks.
import { CloseCode } from '../../schemas/close-code.ts';
import type { ClientFrame, ServerFrame } from '../../schemas/frames.ts';

/** Mirrors the panel's data-state attribute (UI contract). */
export type TerminalState = 'connecting' | 'ready' | 'closed';

/** Where output goes; the view implements it on top of xterm. */
export interface TerminalSink {
  /** Render shell output; call `done` once it is on screen (xterm's write callback). */
  write(bytes: Uint8Array, done: () => void): void;
  /** Clear screen and modes before the server's replay, so a reconnect does not duplicate it. */
  reset(): void;
  /** Show a message that is not shell output (already stripped of control characters). */
  notice(message: string): void;
  /** Current size in cells, or undefined if the terminal is not laid out yet. */
  size(): { cols: number; rows: number } | undefined;
}

/** The part of the WebSocket constructor the client uses; tests pass a fake. */
export type WebSocketCtor = new (url: string) => WebSocket;

export interface TerminalClientOptions {
  /** Absolute ws: or wss: URL of the terminal socket. */
  url: string;
  sink: TerminalSink;
  /** Called on every state change, including the first `connecting`. */
  onState?: (state: TerminalState) => void;
  /** Defaults to the browser's WebSocket. */
  WebSocketImpl?: WebSocketCtor;
  /** Source of jitter in [0, 1); defaults to Math.random. */
  random?: () => number;
}

/** Ack at least this often while output is being rendered (ms)… */
export const ACK_INTERVAL_MS = 50;
/** …and at once when this many rendered bytes are not yet acknowledged. Far below the server's
 * pause watermark (some hundred KiB), so a fast client never stalls the shell. */
export const ACK_BYTES = 64 * 1024;
/** Keep-alive period; under the usual 30–60 s idle timeouts of proxies. */
export const PING_INTERVAL_MS = 25_000;
export const BACKOFF_MIN_MS = 250;
export const BACKOFF_MAX_MS = 5_000;
/** The schema's bound on `input.data` (UTF-16 code units, as zod's string max counts). */
export const MAX_INPUT_CHARS = 16_384;
/** Bound on one input frame's UTF-8 JSON size: the server's maxPayload is 64 KiB, and JSON escapes
 * of control characters (`\u0001`, 6 bytes) could push 16 384 characters past it. */
export const MAX_INPUT_FRAME_BYTES = 60 * 1024;
/** Our own close code when a ping went unanswered for a whole interval (the link is dead). */
const PING_TIMEOUT_CLOSE = 4900;

/** Delay before reconnect attempt `attempt` (0-based): 250 ms doubling to 5 s, with jitter in
 * [half, full] so a classroom of tabs does not reconnect in lockstep after a server restart. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const encoder = new TextEncoder();
const frameBytes = (data: string) => encoder.encode(JSON.stringify({ type: 'input', data })).length;
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** Splits input into frame-sized pieces without cutting a surrogate pair in two. */
export function splitInput(data: string, maxChars = MAX_INPUT_CHARS, maxBytes = MAX_INPUT_FRAME_BYTES): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < data.length) {
    let end = Math.min(start + maxChars, data.length);
    for (;;) {
      if (end < data.length && end - start > 1 && isHighSurrogate(data.charCodeAt(end - 1))) end -= 1;
      if (end - start <= 1 || frameBytes(data.slice(start, end)) <= maxBytes) break;
      end = start + Math.ceil((end - start) / 2);
    }
    pieces.push(data.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Server notices are shown inside the terminal, so strip anything a terminal would interpret. */
export function cleanNotice(message: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return message.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').trim().slice(0, 500);
}

/** Per-socket bookkeeping; a new socket starts from zero (acks count "since this socket opened"). */
interface Connection {
  ws: WebSocket;
  open: boolean;
  done: boolean;
  ready: boolean;
  rendered: number;
  acked: number;
  ackTimer: ReturnType<typeof setTimeout> | undefined;
  pingTimer: ReturnType<typeof setInterval> | undefined;
  awaitingPong: boolean;
}

export class TerminalClient {
  readonly #opts: Required<Omit<TerminalClientOptions, 'onState'>> & Pick<TerminalClientOptions, 'onState'>;
  #state: TerminalState = 'connecting';
  #conn: Connection | undefined;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #screenUsed = false;
  #stopped = false;
  /** The last close reason shown, so retries against a down engine say it once. */
  #lastNotice = '';

  constructor(options: TerminalClientOptions) {
    this.#opts = {
      ...options,
      WebSocketImpl: options.WebSocketImpl ?? globalThis.WebSocket,
      random: options.random ?? Math.random,
    };
  }

  get state(): TerminalState {
    return this.#state;
  }

  /** Opens the first socket. */
  start(): void {
    this.#setState('connecting');
    this.#connect();
  }

  /** Keystrokes or a paste from the terminal; dropped while no socket is open (a stale keystroke
   * typed into a shell seconds later is worse than a lost one). */
  input(data: string): void {
    const conn = this.#conn;
    if (!conn?.open) return;
    for (const piece of splitInput(data)) this.#send(conn, { type: 'input', data: piece });
  }

  /** The terminal's size changed (the view debounces fits). */
  resize(cols: number, rows: number): void {
    const conn = this.#conn;
    if (conn?.open) this.#sendResize(conn, { cols, rows });
  }

  /** Asks the server for a new shell: it ends this one and all the learner started in the
   * workspace, then closes the socket as a shell that exited, and the reconnect gets a new shell. */
  newShell(): void {
    const conn = this.#conn;
    if (conn?.open) this.#send(conn, { type: 'new-shell' });
  }

  /** Connect now, without waiting for the backoff: the "Reconnect here" button, or the network
   * coming back. Does nothing while a socket is open or opening. */
  reconnectNow(): void {
    if (this.#stopped || this.#conn) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#attempt = 0;
    this.#setState('connecting');
    this.#connect();
  }

  /** Closes for good (the element left the page). */
  dispose(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    if (this.#conn) this.#drop(this.#conn, 1000, false);
  }

  #setState(state: TerminalState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#opts.onState?.(state);
  }

  #connect(): void {
    let ws: WebSocket;
    try {
      ws = new this.#opts.WebSocketImpl(this.#opts.url);
    } catch {
      // A refused URL (bad scheme, blocked by CSP) throws here instead of closing: retry the same way.
      return this.#scheduleReconnect();
    }
    ws.binaryType = 'arraybuffer';
    const conn: Connection = {
      ws, open: false, done: false, ready: false,
      rendered: 0, acked: 0, ackTimer: undefined, pingTimer: undefined, awaitingPong: false,
    };
    this.#conn = conn;
    ws.onopen = () => this.#onOpen(conn);
    ws.onmessage = (ev: MessageEvent) => this.#onMessage(conn, ev.data);
    ws.onclose = (ev: CloseEvent) => this.#onClose(conn, ev.code, ev.reason);
    // An error is always followed by a close event, which does the work.
    ws.onerror = null;
  }

  #onOpen(conn: Connection): void {
    if (conn.done) return;
    conn.open = true;
    const size = this.#opts.sink.size();
    if (size) this.#sendResize(conn, size);
    conn.pingTimer = setInterval(() => this.#ping(conn), PING_INTERVAL_MS);
  }

  #onMessage(conn: Connection, data: unknown): void {
    if (conn.done) return;
    if (data instanceof ArrayBuffer) return this.#onOutput(conn, new Uint8Array(data));
    if (typeof data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return; // Not JSON: the server only sends JSON text frames, so ignore rather than guess.
    }
    if (frame.type === 'pong') conn.awaitingPong = false;
    else if (frame.type === 'notice' && typeof frame.message === 'string') {
      this.#screenUsed = true;
      this.#opts.sink.notice(cleanNotice(frame.message));
    }
    else if (frame.type === 'attached' && frame.replayed > 0 && this.#screenUsed) {
      // The replay redraws the shell's recent output: clear what an earlier socket drew first. A new
      // shell replays nothing, and the old one's output stays on the page above the reason it ended.
      this.#opts.sink.reset();
    }
  }

  #onOutput(conn: Connection, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#screenUsed = true;
    if (!conn.ready) {
      conn.ready = true;
      this.#attempt = 0; // a socket that reached a live shell resets the backoff
      this.#setState('ready');
    }
    this.#opts.sink.write(bytes, () => this.#onRendered(conn, bytes.length));
  }

  #onRendered(conn: Connection, n: number): void {
    if (conn.done) return; // rendered for an old socket: the new one counts from zero
    conn.rendered += n;
    if (conn.rendered - conn.acked >= ACK_BYTES) this.#flushAck(conn);
    else conn.ackTimer ??= setTimeout(() => this.#flushAck(conn), ACK_INTERVAL_MS);
  }

  #flushAck(conn: Connection): void {
    clearTimeout(conn.ackTimer);
    conn.ackTimer = undefined;
    if (conn.done || conn.rendered === conn.acked) return;
    conn.acked = conn.rendered;
    this.#send(conn, { type: 'ack', bytes: conn.rendered });
  }

  #ping(conn: Connection): void {
    if (conn.awaitingPong) return this.#drop(conn, PING_TIMEOUT_CLOSE, true);
    conn.awaitingPong = true;
    this.#send(conn, { type: 'ping' });
  }

  #sendResize(conn: Connection, size: { cols: number; rows: number }): void {
    const clamp = (n: number) => Math.min(1000, Math.max(1, Math.floor(n)));
    if (!Number.isFinite(size.cols) || !Number.isFinite(size.rows)) return;
    this.#send(conn, { type: 'resize', cols: clamp(size.cols), rows: clamp(size.rows) });
  }

  #send(conn: Connection, frame: ClientFrame): void {
    if (conn.open && !conn.done) conn.ws.send(JSON.stringify(frame));
  }

  #onClose(conn: Connection, code: number, reason = ''): void {
    if (conn.done) return;
    // Why the workspace cannot open (its engine is down) is the learner's to read; retries go on.
    if (code === CloseCode.workspaceUnavailable && reason && reason !== this.#lastNotice) this.#opts.sink.notice(cleanNotice(reason));
    this.#lastNotice = code === CloseCode.workspaceUnavailable ? reason : '';
    this.#drop(conn, code, code !== CloseCode.replaced);
  }

  /** Forgets a socket (closing it if still open) and decides what comes next. */
  #drop(conn: Connection, code: number, reconnect: boolean): void {
    conn.done = true;
    conn.open = false;
    clearTimeout(conn.ackTimer);
    clearInterval(conn.pingTimer);
    conn.ws.onopen = conn.ws.onmessage = conn.ws.onclose = null;
    if (conn.ws.readyState === 0 || conn.ws.readyState === 1) conn.ws.close(code);
    if (this.#conn === conn) this.#conn = undefined;
    if (this.#stopped) return;
    if (!reconnect) return this.#setState('closed');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#setState('connecting');
    const delay = backoffDelay(this.#attempt++, this.#opts.random);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#stopped && !this.#conn) this.#connect();
    }, delay);
  }
}
