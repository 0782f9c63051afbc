// Both shell backends behind the one ShellStream interface: the engine API's exec stream (default)
// and node-pty running `docker exec -it`. Each gives a prompt, runs commands and keeps its state
// across a reconnect.
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.cleanup();
});

describe.each(['engine', 'pty'])('the %s shell', (shell) => {
  it('runs commands, is the same shell after a reconnect, and ends on exit', async () => {
    const server = await startTestServer({ STAGECRAFT_SHELL: shell });
    servers.push(server);
    const cookie = await sessionCookie(server.url);
    const first = await openTerminal(server.url, cookie);
    expect(await run(first, 'cd /tmp; Y=7; tty')).toMatch(/^\/dev\/pts\/\d+\n$/);
    await first.close();
    const second = await openTerminal(server.url, cookie);
    expect(await run(second, 'echo $Y $PWD')).toBe('7 /tmp\n');
    second.type('exit\r');
    expect(await second.closed()).toBe(4002);
  });
});
