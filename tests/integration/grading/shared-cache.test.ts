// The build cache is shared: two learners who build the same Dockerfile from the same files get the
// same stage images. What the first learner removes (docker image prune, docker rmi of a stage
// they tagged) must not cost the second their grade, and a learner's own prune after a valid build
// must not cost them theirs: the gateway holds each build's stage images while its image has a name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { copyIntoHome, runChecks, statuses, withoutMeasured } from '../../support/lab.ts';

const docker = new Docker();
const TWO_STAGES = 'FROM stagecraft/toolchain AS build\\nCOPY hello.c /src/\\nRUN gcc /src/hello.c -o /src/hello\\nFROM stagecraft/runtime\\nCOPY --from=build /src/hello /app/hello\\nCMD [\"/app/hello\"]\\n';
let server: TestServer;
const learners: { cookie: string; terminal: TerminalClient; id: string }[] = [];

const allPass = (results: { id: string; status: string }[]) => Object.fromEntries(results.map((r) => [r.id, 'pass']));
const holdsOf = async (learner: string) => (await docker.listImages({ filters: { reference: [`sc-held-${learner}/*`] } })).map((i) => i.Id);

beforeAll(async () => {
  server = await startTestServer();
  for (let i = 0; i < 2; i++) {
    const before = new Set(server.learners());
    const cookie = await sessionCookie(server.url);
    const terminal = await openTerminal(server.url, cookie);
    const id = server.learners().find((learner) => !before.has(learner))!;
    await copyIntoHome(id, 'multi-stage', 'solution', 'hello');
    // Only hello.c goes into the build stage (COPY . would take the folder, which differs by learner).
    await run(terminal, `cd ~/hello && printf '${TWO_STAGES}' > Dockerfile`);
    learners.push({ cookie, terminal, id });
  }
}, 120_000);

afterAll(async () => {
  for (const { terminal } of learners) await terminal.close();
  await server?.cleanup();
});

describe('stage images shared through the build cache', () => {
  it('keep the second learner\'s grade when the first prunes the stage image they both built', async () => {
    const [first, second] = learners as [typeof learners[0], typeof learners[0]];
    await run(first.terminal, 'cd ~/hello && docker build -q -f Dockerfile.single -t hello-world . && docker build -q -t hello-world-small .', 240_000);
    // The same files and Dockerfile: every step of the second learner's build comes from the cache.
    await run(second.terminal, 'cd ~/hello && docker build -q -f Dockerfile.single -t hello-world . && docker build -q -t hello-world-small .', 240_000);
    const secondHolds = await holdsOf(second.id);
    expect(secondHolds.length).toBeGreaterThan(0);
    // The shared stage image is the first learner's (their build made it): their prune would have
    // removed it, and with it what the second learner's program is compared against.
    expect((await holdsOf(first.id)).some((id) => secondHolds.includes(id))).toBe(true);
    await run(first.terminal, 'docker image prune -f; echo pruned', 60_000);
    for (const id of secondHolds) await expect(docker.getImage(id).inspect()).resolves.toBeTruthy();

    const { status, results: all } = await runChecks(server.url, second.cookie, 'multi-stage');
    expect(status).toBe(200);
    const results = await withoutMeasured('multi-stage', all); // no figures typed
    expect(statuses(results), JSON.stringify(results.filter((r) => r.status !== 'pass'), null, 1)).toEqual(allPass(results));
  }, 600_000);

  it('keep a learner\'s own grade after they prune, and go with a prune once the image is removed', async () => {
    const first = learners[0]!;
    const results = await withoutMeasured('multi-stage', (await runChecks(server.url, first.cookie, 'multi-stage')).results);
    expect(statuses(results), JSON.stringify(results.filter((r) => r.status !== 'pass'), null, 1)).toEqual(allPass(results));
    const held = await holdsOf(first.id);
    expect(held.length).toBeGreaterThan(0);
    await run(first.terminal, 'docker rmi hello-world-small; echo removed', 60_000);
    // Held until the learner prunes: then they are what the engine would have called dangling.
    expect(await holdsOf(first.id)).toEqual(held);
    await run(first.terminal, 'docker image prune -f; echo pruned', 60_000);
    expect(await holdsOf(first.id)).toEqual([]);
  }, 300_000);
});
