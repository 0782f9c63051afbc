// A pool of two engines on this machine: one on a Unix socket, one on loopback TCP with mutual TLS,
// each a dockerd with its own data root, exec root and socket. New learners go to the engine with
// fewer running workspaces and stay pinned (across a server restart); an engine that goes away
// ends its learners' terminals with a clear message, and others carry on; when it comes back, so do they.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie, TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { runChecks } from '../../support/lab.ts';
import { startEngine, waitFor, type TestEngine } from '../../support/engine.ts';
import { CloseCode } from '../../../src/schemas/frames.ts';
import { ENGINE_DOWN } from '../../../server/sandbox/pool.ts';

let one: TestEngine;
let two: TestEngine;
let server: TestServer;
let env: Record<string, string>;
const open: TerminalClient[] = [];

/** The learner's workspace container on an engine, if it has one there. */
const workspaceOn = (engine: TestEngine, learner: string) => {
  try {
    return execFileSync('docker', ['inspect', '-f', '{{.State.Status}}', `stagecraft-ws-${learner}`], { env: engine.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined; // no such container on this engine
  }
};

/** A new learner with an open terminal; returns their id (the one gateway folder added). */
async function newLearner(): Promise<{ id: string; cookie: string; terminal: TerminalClient }> {
  const before = new Set(server.learners());
  const cookie = await sessionCookie(server.url);
  const terminal = await openTerminal(server.url, cookie);
  open.push(terminal);
  const id = server.learners().find((l) => !before.has(l))!;
  return { id, cookie, terminal };
}

const health = async () => (await (await fetch(`${server.url}/api/health`)).json()) as { engines: { engine: number; up: boolean; learners: number }[] };

beforeAll(async () => {
  const images = ['stagecraft/workspace:latest', 'stagecraft/runtime:latest'];
  [one, two] = await Promise.all([startEngine({ images }), startEngine({ images, tls: true })]);
  // A short slow-engine window, so the test sees a slow engine marked down in seconds.
  env = { STAGECRAFT_ENGINES: `${one.url},${two.url}`, STAGECRAFT_ENGINE_CERTS: two.certDir!, STAGECRAFT_ENGINE_DOWN_AFTER_SECONDS: '8' };
  server = await startTestServer(env);
}, 240_000);

afterAll(async () => {
  for (const terminal of open) await terminal.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
  await Promise.all([one?.stop(), two?.stop()]);
});

describe('a pool of engines', () => {
  let a: Awaited<ReturnType<typeof newLearner>>;
  let b: Awaited<ReturnType<typeof newLearner>>;

  it('places each new learner on the engine with the fewest running workspaces', async () => {
    a = await newLearner();
    expect(workspaceOn(one, a.id)).toBe('running'); // a tie goes to the first engine listed
    b = await newLearner();
    expect(workspaceOn(two, b.id)).toBe('running');
    expect(workspaceOn(one, b.id)).toBeUndefined();
    const c = await newLearner();
    expect(workspaceOn(one, c.id)).toBe('running');
    expect((await health()).engines).toEqual([
      { engine: 1, up: true, version: expect.any(String), learners: 2 },
      { engine: 2, up: true, version: expect.any(String), learners: 1 },
    ]);
  });

  it('gives the TLS engine\'s learner a working docker through the gateway', async () => {
    expect(await run(b.terminal, 'docker run --rm stagecraft/runtime:latest echo "from engine $((1+1))"', 60_000)).toContain('from engine 2');
    await run(b.terminal, 'echo kept > ~/notes.txt');
  });

  it('keeps every learner on their engine across a server restart', async () => {
    for (const terminal of open.splice(0)) await terminal.close();
    await server.close();
    // Load engine two with two more (stand-in) workspaces: unpinned, B would now go to engine one.
    for (let i = 0; i < 2; i++) {
      execFileSync('docker', ['run', '-d', '--init', '--network', 'none', '--label', 'org.stagecraft.role=workspace', 'stagecraft/runtime:latest', 'sleep', '600'], { env: two.env, stdio: 'ignore' });
    }
    server = await startTestServer({ ...env, STAGECRAFT_DATA: server.dataDir });
    b.terminal = await openTerminal(server.url, b.cookie);
    open.push(b.terminal);
    expect(await run(b.terminal, 'cat ~/notes.txt')).toBe('kept\n');
    a.terminal = await openTerminal(server.url, a.cookie);
    open.push(a.terminal);
    expect(workspaceOn(one, b.id)).toBeUndefined();
  });

  it('rides out a slow engine: slow is not down, and a shell that works is never closed', async () => {
    const logged = vi.spyOn(console, 'info');
    const seen = (event: string) => logged.mock.calls.some(([line]) => String(line).includes(`"event":"${event}","engine":1`));
    one.freeze(); // A's engine: it accepts connections and answers nothing
    try {
      await waitFor(() => seen('engine_slow'), 'the health check finds engine 1 slow', 20_000);
      expect(seen('engine_down')).toBe(false);
      expect((await health()).engines[0]!.up).toBe(true);
      // A's relay shell does not pass through the engine: typing still echoes.
      expect(await run(a.terminal, 'echo "typing $((6*7))"')).toContain('typing 42');
      await waitFor(() => seen('engine_down'), 'engine 1 is marked down once slow for the whole window', 30_000);
      // Down, but the shell still works, so it stays open.
      expect(a.terminal.closeCode).toBeUndefined();
      expect(await run(a.terminal, 'echo "still $((6*7))"')).toContain('still 42');
    } finally {
      one.thaw();
      logged.mockRestore();
    }
    await waitFor(async () => (await health()).engines[0]!.up, 'the health check sees engine 1 up again', 20_000);
  });

  it('lets learners in when the server starts while an engine is slow', async () => {
    for (const terminal of open.splice(0)) await terminal.close();
    await server.close();
    const logged = vi.spyOn(console, 'info');
    one.freeze();
    try {
      const starting = startTestServer({ ...env, STAGECRAFT_DATA: server.dataDir });
      await waitFor(() => logged.mock.calls.some(([line]) => String(line).includes('"event":"engine_slow","engine":1')), 'the first health check finds engine 1 slow', 20_000);
      one.thaw();
      server = await starting;
    } finally {
      one.thaw();
      logged.mockRestore();
    }
    // Not yet seen answering, but not down: A's shell opens as soon as the engine answers it.
    a.terminal = await openTerminal(server.url, a.cookie);
    b.terminal = await openTerminal(server.url, b.cookie);
    open.push(a.terminal, b.terminal);
    expect(await run(a.terminal, 'cat ~/.profile > /dev/null && echo "back $((6*7))"')).toContain('back 42');
    // Up once a probe sees it answer (the next one, within 5 s); until then /api/health says not up.
    await waitFor(async () => (await health()).engines[0]!.up, 'the health check sees engine 1 answer', 20_000);
  });

  it('ends the terminals of a learner whose engine goes away with a clear message; the other engine carries on', async () => {
    await two.halt();
    // The shell ends as its engine stops: as a plain end, or, once the engine is known down, saying so.
    expect([CloseCode.shellExited, CloseCode.workspaceUnavailable]).toContain(await b.terminal.closed());
    // The browser reconnects at once: that answers at once with the message, not a hang.
    const started = Date.now();
    const again = new TerminalClient(server.url, { cookie: b.cookie });
    await again.opened();
    expect(await again.closed()).toBe(CloseCode.workspaceUnavailable);
    expect(again.closeReason).toBe(ENGINE_DOWN);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await run(a.terminal, 'echo "still $((2*21))"')).toContain('still 42');
    // Checks for a learner on the down engine answer at once: errors, no points lost.
    const { results } = await runChecks(server.url, b.cookie, 'single-stage');
    expect(results.map((r) => [r.status, r.cause])).toEqual(results.map(() => ['error', 'engine_unavailable']));
    const d = await newLearner();
    expect(workspaceOn(one, d.id)).toBe('running');
    const { engines } = await health();
    expect(engines.map((e) => e.up)).toEqual([true, false]);
  });

  it('lets the learner back in, files intact, once the engine returns', async () => {
    await two.start();
    await waitFor(async () => (await health()).engines[1]!.up, 'the health check sees engine 2 up again', 20_000);
    b.terminal = await openTerminal(server.url, b.cookie);
    open.push(b.terminal);
    expect(await run(b.terminal, 'cat ~/notes.txt')).toBe('kept\n');
  });
});
