// Spare learners: the server keeps a learner made ahead, their workspace running, for the next new
// visitor; the visitor who takes it gets that workspace as their own; a spare takes no place under
// the cap on running workspaces, and none is made when the lab has no room for it.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';

const servers: TestServer[] = [];
const terminals: TerminalClient[] = [];

afterAll(async () => {
  for (const terminal of terminals) await terminal.close();
  for (const server of servers) await server.cleanup();
});

const running = (learner: string) => {
  try {
    return execFileSync('docker', ['inspect', '--format', '{{.State.Running}}', `stagecraft-ws-${learner}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'true';
  } catch {
    return false; // not created yet
  }
};

/** Polls until `condition` holds, for at most `ms`. */
async function until(condition: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('spare learners', () => {
  it('hands the next visitor a workspace that was running before they came, and makes the next spare', async () => {
    const server = await startTestServer({ STAGECRAFT_SPARE_WORKSPACES: '1' });
    servers.push(server);
    await until(() => server.learners().length === 1 && running(server.learners()[0]!));
    const [spare] = server.learners();
    const cookie = await sessionCookie(server.url);
    const terminal = await openTerminal(server.url, cookie);
    terminals.push(terminal);
    await run(terminal, 'echo mine > ~/taken && echo done');
    // The file is in the spare's workspace: the visitor became that learner.
    expect(execFileSync('docker', ['exec', `stagecraft-ws-${spare}`, 'cat', '/home/learner/taken'], { encoding: 'utf8' }).trim()).toBe('mine');
    // Another spare waits for the next visitor.
    await until(() => server.learners().length === 2 && server.learners().every(running));
  }, 120_000);

  it('takes no place under the cap, and none is made without room', async () => {
    const server = await startTestServer({ STAGECRAFT_SPARE_WORKSPACES: '1', STAGECRAFT_MAX_WORKSPACES: '1' });
    servers.push(server);
    await until(() => server.learners().length === 1 && running(server.learners()[0]!));
    // The spare does not fill the lab: the first visitor is let in, and takes it.
    const cookie = await sessionCookie(server.url);
    terminals.push(await openTerminal(server.url, cookie));
    // The lab is now full: a second visitor is refused, and no spare is made for them.
    const refused = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { Origin: server.url } });
    expect(refused.status).toBe(503);
    expect(server.learners()).toHaveLength(1);
  }, 120_000);
});
