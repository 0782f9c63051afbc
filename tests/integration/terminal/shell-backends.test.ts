// The three shell backends behind the one ShellStream interface: the relay (default: socat in the
// workspace, bytes bypass the engine), the engine API's exec stream, and node-pty running
// `docker exec -it`. Each gives a prompt, runs commands, follows a resize and keeps its state
// across a reconnect; the relay's shell also outlives the relay itself (a server restart).
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { isKeptShellNotice, openTerminal, sessionCookie } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.cleanup();
});

describe.each(['relay', 'engine', 'pty'])('the %s shell', (shell) => {
  it('runs commands, is the same shell after a reconnect, and ends on exit', async () => {
    const server = await startTestServer({ STAGECRAFT_SHELL: shell });
    servers.push(server);
    const cookie = await sessionCookie(server.url);
    const first = await openTerminal(server.url, cookie);
    expect(await run(first, 'cd /tmp; Y=7; tty')).toMatch(/^\/dev\/pts\/\d+\n$/);
    first.send({ type: 'resize', cols: 117, rows: 33 });
    await expect.poll(async () => run(first, 'stty size'), { timeout: 5_000 }).toBe('33 117\n');
    await first.close();
    const second = await openTerminal(server.url, cookie);
    expect(await run(second, 'echo $Y $PWD')).toBe('7 /tmp\n');
    second.type('exit\r');
    expect(await second.closed()).toBe(4002);
  });
});

describe('the relay', () => {
  it('keeps the shell when the relay goes: the next socket attaches to it, and is told so', async () => {
    const server = await startTestServer({ STAGECRAFT_SHELL: 'relay' });
    servers.push(server);
    const cookie = await sessionCookie(server.url);
    const first = await openTerminal(server.url, cookie);
    await run(first, 'cd /tmp; KEPT=yes');
    // As when the server stops: the relay's connection ends, and with it the server's session.
    first.type('pkill -x socat\r');
    expect(await first.closed()).toBe(4002);
    const second = await openTerminal(server.url, cookie);
    expect(second.frames.filter(isKeptShellNotice)).toHaveLength(1);
    expect(await run(second, 'echo $KEPT $PWD')).toBe('yes /tmp\n');
    // Its screen is the page's: dtach's clear-screen on attaching never reaches it.
    expect(second.output).not.toContain('\x1b[H\x1b[J');
  });

  it('carries a paste larger than every buffer on the way, whole, into a shell busy when it came', async () => {
    const server = await startTestServer({ STAGECRAFT_SHELL: 'relay' });
    servers.push(server);
    const terminal = await openTerminal(server.url);
    // The shell reads nothing for a second, so the paste backs up through the pty, dtach, socat and
    // the sockets; dtach drops a client that ever reads part of a packet.
    terminal.type('sleep 1; cat > /tmp/pasted\r');
    const line = `${'x'.repeat(99)}\n`;
    for (let i = 0; i < 20; i++) terminal.type(line.repeat(100)); // 200,000 bytes in 16 KiB frames
    terminal.type('\x04');
    await terminal.waitFor(/\$ $/, 30_000, terminal.output.length);
    expect(await run(terminal, 'wc -c < /tmp/pasted; sort -u /tmp/pasted | wc -l')).toBe('200000\n1\n');
    await terminal.close();
  });

  it('runs under socat as the learner, and its one-time socket is gone once connected', async () => {
    const server = await startTestServer({ STAGECRAFT_SHELL: 'relay' });
    servers.push(server);
    const terminal = await openTerminal(server.url);
    // bash is dtach's (which keeps it through a server restart), under the learner's socat.
    expect(await run(terminal, 'ps -o user=,comm= -p $PPID')).toMatch(/^learner +dtach\n$/);
    expect(await run(terminal, 'ps -eo user=,comm= | grep -E "socat|dtach" | sort -u')).toBe('learner  dtach\nlearner  socat\n');
    // Only the gateway's own socket is left in the folder: nothing else can attach to this shell.
    expect(await run(terminal, 'ls /run/stagecraft')).not.toMatch(/t-[0-9a-f]+\.sock/);
    await terminal.close();
  });
});
