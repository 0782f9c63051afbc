// One learner's shell and the socket currently showing it: replay on attach, one socket at a time,
// and ack-based flow control that pauses the pty instead of buffering without bound.
import type { WebSocket } from 'ws';
import { CloseCode, type ServerFrame } from '../../src/schemas/frames.ts';
import type { ShellStream } from '../sandbox/index.ts';
import { closeReason, parseClientFrame } from './frames.ts';
import { Scrollback } from './scrollback.ts';

export const FLOW = {
  /** Bytes kept for replay on reconnect. */
  scrollbackBytes: 256 * 1024,
  /** Pause the shell when this many sent bytes are not yet rendered (or not yet flushed to the socket). */
  highWatermark: 512 * 1024,
  /** Resume it when the backlog falls below this. */
  lowWatermark: 128 * 1024,
  /** Input typed while the workspace is still starting; more than this is dropped. */
  pendingInputBytes: 64 * 1024,
} as const;

const OPEN = 1;
/** Viewers of one terminal at once. */
const MAX_VIEWERS = 4;
/** What the learner is told while any watch of their terminal is open: on its start and on every attach. */
const WATCHED = 'Your instructor is now watching this terminal (they cannot type in it).';

export class TerminalSession {
  readonly scrollback = new Scrollback(FLOW.scrollbackBytes);
  #shell: ShellStream | undefined;
  #size = { cols: 80, rows: 24 };
  #pendingInput = '';
  #socket: WebSocket | undefined;
  #sent = 0; // bytes sent on the current socket
  #acked = 0; // bytes the browser says it rendered
  #unflushed = 0; // bytes handed to ws but not yet written to the TCP socket
  #paused = false;
  #ended = false;
  #shellGone = false;
  /** A new shell was asked for: the old one's end is that, not news of its own. */
  #replacing = false;
  /** Read-only watchers (an instructor helping): they get the output, never a say in the shell. */
  readonly #viewers = new Set<WebSocket>();

  readonly #onEnd: () => void;

  constructor(onEnd: () => void) {
    this.#onEnd = onEnd;
  }

  get attached(): boolean {
    return this.#socket !== undefined;
  }

  /** The shell's stream has ended; the session ends once it knows why. A new socket wants another. */
  get shellGone(): boolean {
    return this.#shellGone;
  }

  /** Wires a shell that has finished opening. */
  start(shell: ShellStream): void {
    if (this.#ended) return shell.kill();
    this.#shell = shell;
    shell.resize(this.#size.cols, this.#size.rows);
    if (this.#pendingInput) shell.write(this.#pendingInput);
    this.#pendingInput = '';
    shell.onData((chunk) => this.#output(chunk));
    shell.onGone?.(() => { this.#shellGone = true; });
    shell.onResumed?.(() => this.#send({ type: 'notice', message: 'Your shell kept running while this page was away from it: press Enter to see its prompt.' }));
    shell.onExit((_code, ended) => {
      if (this.#replacing) return; // #newShell ends the session, once everything has ended
      if (ended?.cause === 'engine_down') this.end(CloseCode.workspaceUnavailable, ended.message);
      else this.end(CloseCode.shellExited, ended?.message ?? 'The shell has ended; a new one starts when you reconnect.');
    });
  }

  /** Makes `socket` the one that shows this shell; an older socket is closed with a message. */
  attach(socket: WebSocket): void {
    if (this.#socket) this.#close(this.#socket, CloseCode.replaced, 'This terminal was opened in another tab or window.');
    this.#socket = socket;
    this.#sent = 0;
    this.#acked = 0;
    this.#unflushed = 0;
    this.#updateFlow();
    const replay = this.scrollback.snapshot();
    this.#send({ type: 'attached', replayed: replay.length });
    if (replay.length > 0) this.#sendBytes(replay);
    // A reload (or another tab) must not hide a watch that is still open: the learner is told again.
    if (this.#viewers.size > 0) this.#send({ type: 'notice', message: WATCHED });
    socket.on('message', (data: Buffer, isBinary: boolean) => this.#onMessage(socket, data, isBinary));
    // ws reports protocol errors (e.g. a frame over maxPayload) here and closes the socket itself
    // (1009, 1002); unhandled, the event would take the whole server down.
    socket.on('error', (error: Error & { code?: string }) => console.info(JSON.stringify({ event: 'terminal_socket_error', code: error.code ?? error.message })));
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#updateFlow(); // nobody is watching: keep the shell running, output goes to the scrollback only
    });
  }

  /** Adds a read-only viewer: it sees the replay and all output; the learner is told. */
  watch(viewer: WebSocket): void {
    if (this.#viewers.size >= MAX_VIEWERS) return void this.#close(viewer, CloseCode.invalidFrame, 'This terminal already has as many viewers as it allows.');
    this.#viewers.add(viewer);
    viewer.send(JSON.stringify({ type: 'attached', replayed: this.scrollback.size } satisfies ServerFrame));
    if (this.scrollback.size > 0) viewer.send(this.scrollback.snapshot(), { binary: true });
    this.#send({ type: 'notice', message: WATCHED });
    viewer.on('message', (data: Buffer, isBinary: boolean) => {
      const parsed = parseClientFrame(data, isBinary);
      if (parsed.ok && parsed.frame.type === 'ping') return void viewer.send(JSON.stringify({ type: 'pong' } satisfies ServerFrame));
      if (parsed.ok && parsed.frame.type === 'ack') return; // viewers are not flow-controlled: a slow one is dropped
      viewer.close(CloseCode.invalidFrame, 'This is a read-only view.');
    });
    viewer.on('error', () => undefined); // ws closes it; the close handler below tidies up
    viewer.on('close', () => {
      // With another watch still open (a second instructor, a second tab), the learner is still watched.
      if (this.#viewers.delete(viewer) && this.#viewers.size === 0) this.#send({ type: 'notice', message: 'Your instructor stopped watching this terminal.' });
    });
  }

  /** Ends the session: closes the socket with `code` and kills the shell. */
  end(code: number, message: string): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#socket) this.#close(this.#socket, code, message);
    for (const viewer of this.#viewers) this.#close(viewer, code, message);
    this.#viewers.clear();
    this.#socket = undefined;
    this.#shell?.kill();
    this.#onEnd();
  }

  #onMessage(socket: WebSocket, data: Buffer, isBinary: boolean): void {
    if (socket !== this.#socket) return;
    const parsed = parseClientFrame(data, isBinary);
    if (!parsed.ok) return void socket.close(CloseCode.invalidFrame, parsed.reason);
    const frame = parsed.frame;
    switch (frame.type) {
      case 'input':
        if (this.#shell) this.#shell.write(frame.data);
        else if (this.#pendingInput.length + frame.data.length <= FLOW.pendingInputBytes) this.#pendingInput += frame.data;
        return;
      case 'resize':
        this.#size = { cols: frame.cols, rows: frame.rows };
        this.#shell?.resize(frame.cols, frame.rows);
        return;
      case 'ack':
        if (frame.bytes > this.#sent) return void socket.close(CloseCode.invalidFrame, 'ack for more bytes than were sent');
        this.#acked = Math.max(this.#acked, frame.bytes);
        this.#updateFlow();
        return;
      case 'ping':
        this.#send({ type: 'pong' });
        return;
      case 'new-shell':
        return void this.#newShell();
    }
  }

  /** The learner asked for a new shell: everything they started ends, then this session does. */
  async #newShell(): Promise<void> {
    const shell = this.#shell;
    if (!shell || this.#ended || this.#replacing) return;
    this.#replacing = true;
    this.#send({ type: 'notice', message: 'Ending your shell and everything started in it…' });
    const ended = await shell.endAll?.().catch((error: unknown) => {
      console.error('terminal: ending the learner\'s processes failed:', error);
      return 'failed' as const;
    });
    if (ended === 'failed') return this.end(CloseCode.shellExited, 'Your old shell could not be ended: the lab\'s engine did not answer. The shell you get next may still be the old one; try New shell again in a moment.');
    this.end(CloseCode.shellExited, ended?.restarted
      ? 'You asked for a new shell: not everything in the old one would end, so your workspace was restarted. Your home folder is kept; /tmp was emptied. A new shell starts now.'
      : 'You asked for a new shell: the old one and everything started in it have ended. Your files are kept. A new shell starts now.');
  }

  #output(chunk: Buffer): void {
    this.scrollback.push(chunk);
    if (this.#socket) this.#sendBytes(chunk);
    for (const viewer of this.#viewers) {
      // A viewer that cannot keep up is dropped rather than buffered without bound.
      if (viewer.bufferedAmount > FLOW.highWatermark) viewer.terminate();
      else if (viewer.readyState === OPEN) viewer.send(chunk, { binary: true });
    }
  }

  #sendBytes(bytes: Buffer): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return;
    this.#sent += bytes.length;
    this.#unflushed += bytes.length;
    socket.send(bytes, { binary: true }, () => {
      if (socket !== this.#socket) return;
      this.#unflushed -= bytes.length;
      this.#updateFlow();
    });
    this.#updateFlow();
  }

  #updateFlow(): void {
    if (!this.#shell) return;
    const backlog = this.#socket ? Math.max(this.#sent - this.#acked, this.#unflushed) : 0;
    if (!this.#paused && backlog > FLOW.highWatermark) {
      this.#paused = true;
      this.#shell.pause();
    } else if (this.#paused && backlog < FLOW.lowWatermark) {
      this.#paused = false;
      this.#shell.resume();
    }
  }

  #send(frame: ServerFrame): void {
    if (this.#socket?.readyState === OPEN) this.#socket.send(JSON.stringify(frame));
  }

  #close(socket: WebSocket, code: number, message: string): void {
    if (socket.readyState === OPEN) socket.send(JSON.stringify({ type: 'notice', message } satisfies ServerFrame));
    socket.close(code, closeReason(message));
  }
}
