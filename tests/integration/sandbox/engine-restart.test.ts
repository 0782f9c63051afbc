// dockerd restarted under a learner who is building, on an engine of the test's own run as the
// README's set-up runs it (--live-restore): the workspace and its shell carry on, the build is
// reported as interrupted rather than left hanging, its record says so, and the gateway serves the
// learner as before once the engine is back.
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTerminal, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { waitFor } from '../../support/engine.ts';
import { ownEngineWithServer } from '../../support/own-engine.ts';
import { INTERRUPTED } from '../../../server/sandbox/gateway/build.ts';

const own = ownEngineWithServer({ images: ['stagecraft/workspace:latest', 'stagecraft/runtime:latest'], args: ['--live-restore'] });
let terminal: TerminalClient;

beforeAll(async () => { terminal = await openTerminal(own.server.url); });
afterAll(async () => { await terminal?.close().catch(() => undefined); });

const buildSteps = () => execFileSync('docker', ['ps', '--no-trunc', '--format', '{{.Command}}'], { env: own.engine.env, encoding: 'utf8' });

const buildOutcomes = () => {
  const db = new DatabaseSync(path.join(own.server.dataDir, 'stagecraft.db'), { readOnly: true });
  try {
    return (db.prepare('SELECT outcome FROM builds ORDER BY id').all() as { outcome: string }[]).map((row) => row.outcome);
  } finally {
    db.close();
  }
};

describe('dockerd restarted while a learner builds', () => {
  it('keeps the shell and home, reports the build as interrupted, and serves the learner afterwards', async () => {
    await run(terminal, "echo kept > ~/kept.txt && mkdir -p ~/slow && cd ~/slow && printf 'FROM stagecraft/runtime\\nRUN sleep 40 && echo restart-me\\n' > Dockerfile");
    const from = terminal.output.length;
    terminal.type('docker build -t slow . ; echo "build-exit=$((0+$?))"\r');
    await waitFor(() => buildSteps().includes('restart-me'), 'the build step runs in the engine');

    await own.engine.halt();
    await own.engine.start();

    // The CLI is told why its build ended, and the shell goes on (the workspace never stopped).
    await terminal.waitFor(/build-exit=1/, 60_000, from);
    expect(terminal.output.slice(from)).toContain(INTERRUPTED);
    expect(terminal.closeCode).toBeUndefined();
    expect(await run(terminal, 'cat ~/kept.txt')).toBe('kept\n');
    await waitFor(() => buildOutcomes().at(-1) === 'interrupted', 'the build is recorded as interrupted', 10_000);

    // The gateway refuses nothing afterwards: the learner builds and runs as before.
    await run(terminal, "printf 'FROM stagecraft/runtime\\nCMD [\"echo\",\"after the restart\"]\\n' > Dockerfile");
    expect(await run(terminal, 'docker build -q -t again . > /dev/null && docker run --rm again', 120_000)).toBe('after the restart\n');
    expect(buildOutcomes().at(-1)).toBe('built');
    expect(await run(terminal, 'docker images -q slow | wc -l')).toBe('0\n'); // the interrupted build made nothing
  });
});
