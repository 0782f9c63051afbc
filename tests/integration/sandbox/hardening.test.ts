// The workspace and the learner's containers hold against what a learner can throw at them:
// writes outside home and /tmp, reading the server's secrets, reaching the server, fork and memory
// bombs, a huge build context, and more containers or builds than the quota allows.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, type TerminalClient } from '../../support/terminal-client.ts';
import { recordRefusals, type RefusalLog } from '../../support/refusals.ts';
import { run } from '../../support/shell.ts';
import { LIMITS, workspaceName } from '../../../server/sandbox/index.ts';
import { waitFor } from '../../support/engine.ts';

const SECRET = 'do-not-leak-7f3a9c';
let server: TestServer;
let terminal: TerminalClient;
let refusals: RefusalLog;

beforeAll(async () => {
  refusals = recordRefusals();
  process.env.STAGECRAFT_TEST_SECRET = SECRET;
  server = await startTestServer();
  terminal = await openTerminal(server.url);
});

/** Whether a process whose command line starts with `command` still runs in the learner's workspace. */
async function workspaceRuns(command: string): Promise<boolean> {
  const top = await new Docker().getContainer(workspaceName(server.learners()[0]!)).top({ ps_args: '-o pid,args' });
  return top.Processes.some((row: string[]) => row.at(-1)!.startsWith(command));
}

afterAll(async () => {
  refusals.stop();
  delete process.env.STAGECRAFT_TEST_SECRET;
  await terminal?.close();
  await server?.cleanup();
});

describe('workspace', () => {
  it('has a read-only root: only home and /tmp are writable', async () => {
    expect(await run(terminal, 'touch /etc/x /usr/bin/x 2>&1 | grep -c "Read-only file system"')).toBe('2\n');
    expect(await run(terminal, 'touch ~/x /tmp/x && echo writable')).toBe('writable\n');
  });

  it('shows no server secret in env', async () => {
    const env = await run(terminal, 'env');
    expect(env).not.toContain(SECRET);
    expect(env).not.toMatch(/STAGECRAFT_|DOCKER_HOST|npm_/);
  });

  it('cannot reach the server or any network: it has only loopback', async () => {
    expect(await run(terminal, 'ls /sys/class/net')).toBe('lo\n');
    expect(await run(terminal, `timeout 3 bash -c 'echo > /dev/tcp/127.0.0.1/${server.port}' 2>/dev/null && echo reached || echo refused`)).toBe('refused\n');
  });

  it('contains a fork bomb at its process limit, and the shell survives', async () => {
    // Each child lives 15 s, so the limit (256) is reached even when forks are slow on a loaded machine
    // (with 3 s, early children ended before the last were started, and CI once saw no failure).
    const output = await run(terminal, "bash -c 'for i in $(seq 400); do sleep 15 & done; wait' 2>&1 | grep -m1 -o 'temporarily unavai[l]able'", 120_000);
    expect(output).toBe('temporarily unavailable\n');
    await waitFor(async () => !(await workspaceRuns('sleep 15')), "the bomb's processes have ended", 60_000);
    expect(await run(terminal, 'echo alive')).toBe('alive\n');
  });

  it('contains a memory hog at its memory limit', async () => {
    expect(await run(terminal, 'dd if=/dev/zero of=/dev/null bs=700M count=1 2>/dev/null; echo "exit=$?"')).toContain('exit=137\n');
  });
});

describe("learner's containers", () => {
  it('contain a fork bomb at their process limit', async () => {
    const output = await run(terminal, "docker run --rm stagecraft/toolchain bash -c 'for i in $(seq 300); do sleep 15 & done; wait' 2>&1 | grep -m1 -o 'temporarily unavai[l]able'", 120_000);
    expect(output).toBe('temporarily unavailable\n');
  });

  it('contain a fork bomb in a build step at the build process limit', async () => {
    await run(terminal, "mkdir -p ~/bomb && cd ~/bomb && printf '%s\\n' 'FROM stagecraft/toolchain' 'RUN bash -c \"for i in \\$(seq 300); do sleep 15 & done; wait\" 2>&1 | grep -m1 -o \"temporarily unavai[l]able\"' > Dockerfile && cat Dockerfile");
    const output = await run(terminal, 'docker build --no-cache . ; cd ~', 180_000);
    // The step's own echo holds the pattern with [l], so only the real fork failure matches.
    expect(output).toContain('temporarily unavailable');
  });

  it('contain a memory hog at their memory limit', async () => {
    expect(await run(terminal, 'docker run --rm stagecraft/toolchain dd if=/dev/zero of=/dev/null bs=400M count=1 2>/dev/null; echo "exit=$?"')).toBe('exit=137\n');
  });
});

describe('quotas', () => {
  it('refuses a 200 MB build context cleanly', async () => {
    await run(terminal, "mkdir -p ~/big && cd ~/big && head -c 200000000 /dev/zero > blob && printf 'FROM stagecraft/runtime\\n' > Dockerfile");
    refusals.clear();
    const output = await run(terminal, 'docker build -t big .', 120_000);
    expect(output).toContain(`the build context is larger than ${LIMITS.buildContextBytes / 1024 ** 2} MB`);
    expect(refusals.codes).toContain('context_too_large');
    expect(await run(terminal, 'cd ~ && rm -rf ~/big && docker image ls -q big')).toBe('');
  });

  it(`refuses container number ${LIMITS.maxContainers + 1}, and prune frees the quota`, async () => {
    await run(terminal, `for i in $(seq ${LIMITS.maxContainers}); do docker create stagecraft/runtime true > /dev/null; done`, 120_000);
    refusals.clear();
    expect(await run(terminal, 'docker create stagecraft/runtime true')).toContain(`you have ${LIMITS.maxContainers} containers`);
    expect(refusals.codes).toContain('quota_containers');
    await run(terminal, 'docker container prune -f');
    expect(await run(terminal, 'docker create stagecraft/runtime true')).toMatch(/^[a-f0-9]{64}\n$/);
    await run(terminal, 'docker container prune -f');
  });

  it('runs one build at a time per learner', async () => {
    await run(terminal, "mkdir -p ~/slow && cd ~/slow && printf 'FROM stagecraft/toolchain\\nRUN sleep 8 && echo one-at-a-time\\n' > Dockerfile");
    refusals.clear();
    await run(terminal, '(docker build -q --no-cache . > /dev/null 2>&1 &)');
    // The second build is sent only once the first one's step runs in the engine.
    await waitFor(async () => (await new Docker().listContainers()).some((c) => c.Command.includes('one-at-a-time')), 'the first build runs');
    const output = await run(terminal, 'docker build -q --no-cache . 2>&1', 60_000);
    expect(output).toContain('another build of yours is still running');
    expect(refusals.codes).toContain('quota_builds');
    await waitFor(async () => !(await workspaceRuns('docker build')), 'the first build has ended', 60_000);
  });
});
