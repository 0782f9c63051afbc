// The terminal socket against the real server and engine: who may connect, what frames are
// accepted, "same shell" on reconnect, one socket at a time, and flow control.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { TerminalClient, openTerminal, sessionCookie } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { CloseCode } from '../../../src/schemas/frames.ts';
import { FLOW } from '../../../server/terminal/index.ts';

let server: TestServer;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  cookie = await sessionCookie(server.url);
});

afterAll(async () => {
  await server?.cleanup();
});

async function connect(options: { origin?: string; autoAck?: boolean } = {}) {
  const terminal = new TerminalClient(server.url, { cookie, ...options });
  await terminal.opened();
  return terminal;
}

const upgradeStatus = (headers: Record<string, string>) => new Promise<number>((resolve) => {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws/terminal`, { headers });
  socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  socket.on('open', () => { socket.close(); resolve(101); });
  socket.on('error', () => undefined); // the status above is what we assert
});

describe('who may open a terminal', () => {
  it('refuses a socket without a session cookie (403)', async () => {
    expect(await upgradeStatus({ Origin: server.url })).toBe(403);
  });

  it('refuses a forged session cookie (403)', async () => {
    expect(await upgradeStatus({ Origin: server.url, Cookie: `sc_session=${'A'.repeat(43)}` })).toBe(403);
  });

  it('refuses another origin, even with a valid cookie (403)', async () => {
    expect(await upgradeStatus({ Origin: 'http://evil.example', Cookie: cookie })).toBe(403);
    expect(await upgradeStatus({ Cookie: cookie })).toBe(403);
  });

  it('accepts the served origin and localhost with a valid cookie', async () => {
    expect(await upgradeStatus({ Origin: server.url, Cookie: cookie })).toBe(101);
    expect(await upgradeStatus({ Origin: `http://localhost:${server.port}`, Cookie: cookie })).toBe(101);
  });
});

describe('the same shell', () => {
  it('comes back after a dropped socket with its state and earlier output', async () => {
    const first = await connect();
    await first.waitFor('$ ');
    await run(first, 'cd /tmp; X=42; echo before-drop');
    first.socket.terminate(); // a dropped connection, not a clean close
    const second = await connect();
    await second.waitFor('before-drop'); // replayed scrollback
    expect(await run(second, 'echo $X $PWD')).toBe('42 /tmp\n');
    await second.close();
  });

  it('gives a second socket the shell and closes the older one with a message', async () => {
    const older = await connect();
    await older.waitFor('$ ');
    await run(older, 'Y=43');
    const newer = await connect();
    expect(await older.closed()).toBe(CloseCode.replaced);
    expect(older.frames).toContainEqual({ type: 'notice', message: expect.stringContaining('another tab') });
    expect(await run(newer, 'echo $Y')).toBe('43\n');
    await newer.close();
  });
});

describe('a new shell, asked for', () => {
  it('ends a shell that Ctrl+C cannot bring back and all it started; files, /tmp and the workspace stay', async () => {
    const learner = await sessionCookie(server.url);
    const first = await openTerminal(server.url, learner);
    await run(first, 'cd /tmp; X=42; touch ~/home-file /tmp/scratch-file; (trap "" INT TERM HUP; exec sleep 1000) & echo started');
    // A loop that ignores Ctrl+C: the shell is wedged for good.
    first.type("trap '' INT; while :; do :; done\r");
    first.type('\x03');
    first.send({ type: 'new-shell' });
    expect(await first.closed()).toBe(CloseCode.shellExited);
    expect(first.frames).toContainEqual({ type: 'notice', message: expect.stringContaining('You asked for a new shell') });

    const second = await openTerminal(server.url, learner);
    expect(second.output).not.toContain('kept running');
    expect(await run(second, 'echo "x=${X:-unset} pwd=$PWD"')).toBe('x=unset pwd=/home/learner\n');
    expect(await run(second, 'pgrep -f "sleep 1000" || echo no-sleeper')).toBe('no-sleeper\n');
    expect(await run(second, 'pgrep -c -f "while" || true')).toBe('0\n');
    // The workspace kept running: its tmpfs /tmp would be empty after a restart.
    expect(await run(second, 'ls -1 ~/home-file /tmp/scratch-file')).toBe('/home/learner/home-file\n/tmp/scratch-file\n');
    await second.close();
  });

  // Eighth review: processes forked between a list of pids and the signals escaped, and at the pids
  // limit the list could not even be made, while the learner was told all had ended.
  it('ends loops that keep forking, and a shell at the pids limit, leaving nothing behind', async () => {
    const learner = await sessionCookie(server.url);
    const first = await openTerminal(server.url, learner);
    await run(first, 'for i in 1 2 3; do setsid bash -c "while :; do sleep 0.01 & wait; done" > /dev/null 2>&1 & done; echo forking');
    // dash gives up on a fork the limit refuses at once (bash would retry for minutes).
    first.type('sh -c \'i=0; while [ $i -lt 300 ]; do sleep 1001 & i=$((i+1)); done\' 2>/dev/null; echo "full-$((6*7))"\r');
    await first.waitFor('full-42', 60_000);
    first.send({ type: 'new-shell' });
    expect(await first.closed()).toBe(CloseCode.shellExited);
    const second = await openTerminal(server.url, learner);
    expect(await run(second, 'pgrep -c -f "sleep 1001|sleep 0.01|while :" || true')).toBe('0\n');
    await second.close();
  });
});

describe('frames', () => {
  const closeCodeAfter = async (send: (socket: WebSocket) => void) => {
    const terminal = await connect();
    send(terminal.socket);
    return terminal.closed();
  };

  it.each([
    ['a binary frame', (s: WebSocket) => s.send(Buffer.from('ls\r'))],
    ['text that is not JSON', (s: WebSocket) => s.send('ls')],
    ['an unknown type', (s: WebSocket) => s.send('{"type":"exec","cmd":"id"}')],
    ['a resize of 0 columns', (s: WebSocket) => s.send('{"type":"resize","cols":0,"rows":24}')],
    ['a resize of 100000 rows', (s: WebSocket) => s.send('{"type":"resize","cols":80,"rows":100000}')],
    ['a fractional resize', (s: WebSocket) => s.send('{"type":"resize","cols":80.5,"rows":24}')],
    ['a resize given as strings', (s: WebSocket) => s.send('{"type":"resize","cols":"80","rows":"24"}')],
    ['an extra field', (s: WebSocket) => s.send('{"type":"ping","admin":true}')],
    ['an ack beyond what was sent', (s: WebSocket) => s.send('{"type":"ack","bytes":999999999}')],
  ])('closes the socket with 1008 on %s', async (_what, send) => {
    expect(await closeCodeAfter(send)).toBe(CloseCode.invalidFrame);
  });

  it('closes the socket with 1009 on a frame over 64 KiB', async () => {
    expect(await closeCodeAfter((s) => s.send(JSON.stringify({ type: 'input', data: 'x'.repeat(70_000) })))).toBe(1009);
  });

  it('answers ping with pong', async () => {
    const terminal = await connect();
    terminal.send({ type: 'ping' });
    await expect.poll(() => terminal.frames).toContainEqual({ type: 'pong' });
    await terminal.close();
  });
});

describe('flow control', () => {
  it('pauses the shell while the browser has not rendered what was sent, and resumes on ack', async () => {
    const terminal = await connect({ autoAck: false });
    await terminal.waitFor('$ ');
    const marker = terminal.output.length;
    const rssBefore = process.memoryUsage().rss;
    // About 20 MB of output: far more than the high watermark.
    terminal.type('yes 0123456789012345678901234567890123456789 | head -c 20000000; echo flood-$((1+1))-done\r');
    // The server sends up to its high watermark and stops. Twenty round trips later (time enough
    // for megabytes more, were the shell not paused), what arrived is still bounded.
    // The server counts every byte it sent on this socket (prompt and echo too), so the test does.
    const sentOnSocket = () => Buffer.byteLength(terminal.output);
    await expect.poll(sentOnSocket, { timeout: 30_000 }).toBeGreaterThan(FLOW.highWatermark);
    for (let i = 0; i < 20; i++) await terminal.roundTrip();
    const received = sentOnSocket();
    // The server stops reading the shell once the backlog passes the high watermark.
    expect(received).toBeGreaterThan(FLOW.highWatermark / 2);
    expect(received).toBeLessThan(FLOW.highWatermark + 512 * 1024);
    // Nothing piles up in the server meanwhile: the shell is paused, not buffered (20 MB were asked for).
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(16 * 1024 ** 2);
    // Acknowledge as a browser would while rendering: the rest arrives.
    const acker = setInterval(() => terminal.send({ type: 'ack', bytes: Buffer.byteLength(terminal.output) }), 20);
    try {
      await terminal.waitFor('flood-2-done', 120_000, marker);
    } finally {
      clearInterval(acker);
    }
    await terminal.close();
  });
});
