// Unit tests of the terminal socket client against a fake WebSocket and fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../schemas/close-code.ts';
import type { ClientFrame } from '../../schemas/frames.ts';
import {
  ACK_BYTES, ACK_INTERVAL_MS, BACKOFF_MAX_MS, MAX_INPUT_CHARS, MAX_INPUT_FRAME_BYTES, PING_INTERVAL_MS,
  TerminalClient, backoffDelay, cleanNotice, splitInput, type TerminalSink, type TerminalState, type WebSocketCtor,
} from './client.ts';
import { terminalSocketUrl } from './socket-url.ts';

/** Just enough of the browser WebSocket: tests drive open/message/close by hand. */
class FakeSocket {
  static all: FakeSocket[] = [];
  static refuseNext = false;
  binaryType = 'blob';
  readyState = 0;
  sent: ClientFrame[] = [];
  closedWith: number | undefined;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  readonly url: string;
  constructor(url: string) {
    if (FakeSocket.refuseNext) {
      FakeSocket.refuseNext = false;
      throw new DOMException('refused', 'SecurityError');
    }
    this.url = url;
    FakeSocket.all.push(this);
  }
  send(data: string) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  // Test controls
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  output(bytes: number) {
    this.onmessage?.({ data: new Uint8Array(bytes).fill(0x61).buffer });
  }
  text(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverClose(code: number, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  frames(type: ClientFrame['type']) {
    return this.sent.filter((f) => f.type === type);
  }
}

/** A sink whose writes render only when the test says so (like xterm's async write queue). */
function fakeSink() {
  const pending: (() => void)[] = [];
  const sink: TerminalSink & { written: number; resets: number; notices: string[]; renderAll(): void } = {
    written: 0, resets: 0, notices: [],
    write(bytes, done) {
      sink.written += bytes.length;
      pending.push(done);
    },
    reset() { sink.resets += 1; },
    notice(message) { sink.notices.push(message); },
    size: () => ({ cols: 80, rows: 24 }),
    renderAll() { pending.splice(0).forEach((done) => done()); },
  };
  return sink;
}

function setup() {
  const sink = fakeSink();
  const states: TerminalState[] = [];
  const client = new TerminalClient({
    url: 'ws://example.test/ws/terminal',
    sink,
    onState: (s) => states.push(s),
    WebSocketImpl: FakeSocket as unknown as WebSocketCtor,
    random: () => 1, // longest jitter, so the delays are exact
  });
  client.start();
  const socket = () => FakeSocket.all.at(-1)!;
  return { sink, states, client, socket };
}

beforeEach(() => {
  FakeSocket.all = [];
  FakeSocket.refuseNext = false;
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  it('starts at 250 ms, doubles, and stops at 5 s', () => {
    const max = [0, 1, 2, 3, 4, 5, 6, 20, 1000].map((n) => backoffDelay(n, () => 1));
    expect(max).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000, 5000]);
  });
  it('jitters between half and all of the ceiling', () => {
    expect(backoffDelay(0, () => 0)).toBe(125);
    expect(backoffDelay(3, () => 0.5)).toBe(1500);
    expect(backoffDelay(9, () => 0)).toBe(BACKOFF_MAX_MS / 2);
  });
});

describe('splitInput', () => {
  it('keeps short input whole', () => {
    expect(splitInput('ls -l\r')).toEqual(['ls -l\r']);
    expect(splitInput('')).toEqual([]);
  });
  it('splits long input into pieces of at most 16 384 characters, losing nothing', () => {
    const text = 'x'.repeat(MAX_INPUT_CHARS * 2 + 5);
    const pieces = splitInput(text);
    expect(pieces.map((p) => p.length)).toEqual([MAX_INPUT_CHARS, MAX_INPUT_CHARS, 5]);
    expect(pieces.join('')).toBe(text);
  });
  it('never cuts a surrogate pair', () => {
    const text = 'a' + '😀'.repeat(MAX_INPUT_CHARS);
    const pieces = splitInput(text);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(MAX_INPUT_CHARS);
      expect(piece).toBe(String.fromCodePoint(...[...piece].map((c) => c.codePointAt(0)!)));
    }
  });
  it('keeps each frame under the payload bound even when JSON escapes inflate it', () => {
    const text = '\u0001'.repeat(MAX_INPUT_CHARS * 2);
    const pieces = splitInput(text);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) {
      expect(new TextEncoder().encode(JSON.stringify({ type: 'input', data: piece })).length)
        .toBeLessThanOrEqual(MAX_INPUT_FRAME_BYTES);
    }
  });
});

describe('TerminalClient', () => {
  it('opens an arraybuffer socket and sends its size on open', () => {
    const { socket, states } = setup();
    expect(socket().url).toBe('ws://example.test/ws/terminal');
    expect(socket().binaryType).toBe('arraybuffer');
    socket().open();
    expect(socket().sent).toEqual([{ type: 'resize', cols: 80, rows: 24 }]);
    expect(states).toEqual([]); // still `connecting`: no output yet
  });

  it('is ready only once the socket is open and the first output byte arrived', () => {
    const { socket, states, client } = setup();
    socket().open();
    socket().text({ type: 'attached', replayed: 0 });
    expect(client.state).toBe('connecting');
    socket().output(3);
    expect(states).toEqual(['ready']);
  });

  it('acks rendered bytes at most every 50 ms, counting since the socket opened', () => {
    const { socket, sink } = setup();
    socket().open();
    socket().output(100);
    socket().output(200);
    expect(socket().frames('ack')).toEqual([]); // nothing rendered yet
    sink.renderAll();
    expect(socket().frames('ack')).toEqual([]); // rendered, waiting for the tick
    vi.advanceTimersByTime(ACK_INTERVAL_MS);
    expect(socket().frames('ack')).toEqual([{ type: 'ack', bytes: 300 }]);
    socket().output(50);
    sink.renderAll();
    vi.advanceTimersByTime(ACK_INTERVAL_MS);
    expect(socket().frames('ack').at(-1)).toEqual({ type: 'ack', bytes: 350 });
    vi.advanceTimersByTime(ACK_INTERVAL_MS * 10);
    expect(socket().frames('ack')).toHaveLength(2); // no repeats without new output
  });

  it('acks at once when 64 KiB are rendered and unacknowledged', () => {
    const { socket, sink } = setup();
    socket().open();
    socket().output(ACK_BYTES - 1);
    socket().output(1);
    sink.renderAll();
    expect(socket().frames('ack')).toEqual([{ type: 'ack', bytes: ACK_BYTES }]);
  });

  it('splits long input into several input frames and drops input while closed', () => {
    const { socket, client } = setup();
    client.input('lost'); // not open yet
    socket().open();
    client.input('y'.repeat(MAX_INPUT_CHARS + 1));
    expect(socket().frames('input').map((f) => (f.type === 'input' ? f.data.length : 0))).toEqual([MAX_INPUT_CHARS, 1]);
  });

  it('forwards resizes, clamped to the schema range', () => {
    const { socket, client } = setup();
    socket().open();
    client.resize(5000, 0);
    expect(socket().frames('resize').at(-1)).toEqual({ type: 'resize', cols: 1000, rows: 1 });
  });

  it('reconnects with backoff, resets the screen before the replay, and acks from zero again', () => {
    const { socket, sink, states } = setup();
    const first = socket();
    first.open();
    first.output(10);
    first.serverClose(1006);
    expect(states).toEqual(['ready', 'connecting']);
    vi.advanceTimersByTime(249);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);

    sink.renderAll(); // the old socket's bytes render late: they must not count for the new one
    expect(first.frames('ack')).toEqual([]);
    const second = socket();
    second.open();
    expect(sink.resets).toBe(0);
    second.text({ type: 'attached', replayed: 4 });
    expect(sink.resets).toBe(1);
    second.output(4);
    sink.renderAll();
    vi.advanceTimersByTime(ACK_INTERVAL_MS);
    expect(second.frames('ack')).toEqual([{ type: 'ack', bytes: 4 }]);
    expect(states.at(-1)).toBe('ready');
  });

  it('keeps the ended shell\'s output on the page, with the reason, when a new shell replaces it', () => {
    const { socket, sink } = setup();
    const why = 'Your workspace stopped: its first process was ended. A new one starts; your home folder is kept.';
    socket().open();
    socket().text({ type: 'attached', replayed: 0 });
    socket().output(10);
    socket().text({ type: 'notice', message: why });
    socket().serverClose(CloseCode.shellExited, why);
    vi.advanceTimersByTime(250);
    const second = socket();
    second.open();
    second.text({ type: 'attached', replayed: 0 });
    second.output(3);
    expect(sink.resets).toBe(0);
    expect(sink.notices).toEqual([why]);
  });

  it('backs off longer after each failed attempt, then starts over after a good one', () => {
    const { socket } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = FakeSocket.all.length;
      socket().serverClose(1006);
      let waited = 0;
      while (FakeSocket.all.length === before) {
        vi.advanceTimersByTime(50);
        waited += 50;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000]);
    socket().open();
    socket().output(1);
    socket().serverClose(CloseCode.shellExited);
    vi.advanceTimersByTime(250);
    expect(FakeSocket.all).toHaveLength(8);
  });

  it('shows why the workspace cannot open once, and keeps retrying until it can', () => {
    const { socket, sink, states, client } = setup();
    const down = 'The Docker engine that holds your workspace is not answering.';
    for (let attempt = 0; attempt < 3; attempt++) {
      socket().open();
      socket().serverClose(CloseCode.workspaceUnavailable, down);
      vi.advanceTimersByTime(5_000);
    }
    expect(sink.notices).toEqual([down]);
    expect(FakeSocket.all).toHaveLength(4);
    expect(client.state).toBe('connecting');
    socket().open();
    socket().output(1);
    expect(states.at(-1)).toBe('ready');
  });

  it('asks for a new shell only on an open socket, and reconnects to the new shell when the old one is closed', () => {
    const { socket, client } = setup();
    client.newShell(); // not open yet: nothing to ask
    expect(socket().frames('new-shell')).toEqual([]);
    socket().open();
    socket().output(1);
    client.newShell();
    expect(socket().frames('new-shell')).toEqual([{ type: 'new-shell' }]);
    socket().serverClose(CloseCode.shellExited, 'You asked for a new shell');
    vi.advanceTimersByTime(5_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('stops, without reconnecting, when another tab takes over; "Reconnect here" connects again', () => {
    const { socket, states, client } = setup();
    socket().open();
    socket().output(1);
    socket().serverClose(CloseCode.replaced);
    expect(states.at(-1)).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    client.reconnectNow();
    expect(FakeSocket.all).toHaveLength(2);
    expect(states.at(-1)).toBe('connecting');
  });

  it('pings every 25 s and drops a socket whose ping went unanswered', () => {
    const { socket } = setup();
    const first = socket();
    first.open();
    vi.advanceTimersByTime(PING_INTERVAL_MS);
    expect(first.frames('ping')).toHaveLength(1);
    first.text({ type: 'pong' });
    vi.advanceTimersByTime(PING_INTERVAL_MS);
    expect(first.frames('ping')).toHaveLength(2);
    vi.advanceTimersByTime(PING_INTERVAL_MS); // no pong for the second ping
    expect(first.closedWith).toBeDefined();
    vi.advanceTimersByTime(250);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('shows server notices without control characters', () => {
    const { socket, sink } = setup();
    socket().open();
    socket().text({ type: 'notice', message: 'shell \x1b]0;pwned\x07moved' });
    expect(sink.notices).toEqual(['shell ]0;pwned moved']);
    expect(cleanNotice('a\r\nb')).toBe('a b');
  });

  it('retries with backoff when the socket cannot even be created', () => {
    const { socket, client } = setup();
    FakeSocket.refuseNext = true;
    socket().serverClose(1006);
    vi.advanceTimersByTime(250); // this attempt throws in the constructor
    expect(FakeSocket.all).toHaveLength(1);
    expect(client.state).toBe('connecting');
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('stays quiet after dispose', () => {
    const { socket, client } = setup();
    socket().open();
    client.dispose();
    expect(socket().closedWith).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });
});

describe('terminalSocketUrl', () => {
  it('uses the page host, ws: for http: and wss: for https:', () => {
    expect(terminalSocketUrl('http://127.0.0.1:4321/lessons/single-stage/')).toBe('ws://127.0.0.1:4321/ws/terminal');
    expect(terminalSocketUrl('https://class.example/lessons/x/#top')).toBe('wss://class.example/ws/terminal');
  });
});
