// Two learners on one engine: each owns a Docker host of their own. Names are namespaced, and
// nothing of the other's can be seen, run, changed or removed by name, id, short id or engine name.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, type TerminalClient } from '../../support/terminal-client.ts';
import { recordRefusals, type RefusalLog } from '../../support/refusals.ts';
import { run } from '../../support/shell.ts';
import { withoutLabLabelStep } from '../../../server/sandbox/lab-label-step.ts';

const docker = new Docker();
let server: TestServer;
let alice: TerminalClient;
let bob: TerminalClient;
let aliceId: string;
let bobId: string;
let aliceImageId: string;
let aliceContainerId: string;
let refusals: RefusalLog;

const HELLO = `printf '%s\\n' '#include <stdio.h>' 'int main(void) { printf("Hello from %s\\n", WHO); return 0; }' > hello.c`;
const dockerfile = (who: string) => `printf '%s\\n' 'FROM stagecraft/toolchain AS build' 'WORKDIR /app' 'COPY hello.c .' 'RUN gcc -DWHO=\\"${who}\\" hello.c -o hello' 'FROM stagecraft/runtime' 'COPY --from=build /app/hello /hello' 'CMD ["/hello"]' > Dockerfile`;

beforeAll(async () => {
  refusals = recordRefusals();
  server = await startTestServer();
  alice = await openTerminal(server.url);
  aliceId = server.learners()[0]!;
  bob = await openTerminal(server.url);
  bobId = server.learners().find((id) => id !== aliceId)!;
  for (const [terminal, who] of [[alice, 'alice'], [bob, 'bob']] as const) {
    await run(terminal, `mkdir -p ~/w && cd ~/w && ${HELLO} && ${dockerfile(who)}`);
  }
  // Both build the same tag at the same time.
  const [a, b] = await Promise.all([run(alice, 'docker build -q -t hello-world .', 120_000), run(bob, 'docker build -q -t hello-world .', 120_000)]);
  aliceImageId = a.trim().replace('sha256:', '');
  expect(aliceImageId).toMatch(/^[a-f0-9]{64}$/);
  expect(b.trim()).toMatch(/^sha256:[a-f0-9]{64}$/);
  aliceContainerId = (await run(alice, 'docker create --name mine hello-world')).trim();
}, 240_000);

afterAll(async () => {
  refusals.stop();
  await alice?.close();
  await bob?.close();
  await server?.cleanup();
});

describe('same tag, two learners', () => {
  it('each runs their own hello-world', async () => {
    expect(await run(alice, 'docker run --rm hello-world')).toBe('Hello from alice\n');
    expect(await run(bob, 'docker run --rm hello-world')).toBe('Hello from bob\n');
  });

  it('each lists only their own images (and the base images), under the names they gave', async () => {
    const list = await run(bob, "docker image ls --format '{{.Repository}}:{{.Tag}}'");
    expect(list.split('\n').filter(Boolean).sort()).toEqual(expect.arrayContaining(['hello-world:latest', 'stagecraft/toolchain:latest', 'stagecraft/runtime:latest']));
    expect(list).not.toContain('sc-');
    expect(await run(bob, 'docker image ls -q --no-trunc')).not.toContain(aliceImageId);
  });

  it('stores them under per-learner names in the engine', async () => {
    // Only this test's two learners: the engine may serve a class (or other tests) at the same time.
    const ours = [aliceId, bobId].map((id) => `sc-${id}/hello-world:latest`);
    const tags = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => ours.includes(t));
    expect(tags.sort()).toEqual([...ours].sort());
    expect(tags).toContain(`sc-${aliceId}/hello-world:latest`);
  });
});

describe("another learner's image", () => {
  const attempts = () => [aliceImageId, aliceImageId.slice(0, 12), `sha256:${aliceImageId}`, `sc-${aliceId}/hello-world`];

  it.each(['run --rm', 'image inspect', 'history', 'image rm', 'create'])('cannot be used with docker %s by id, short id or engine name', async (command) => {
    for (const reference of attempts()) {
      refusals.clear();
      const output = await run(bob, `docker ${command} ${reference}`);
      expect(output, reference).toMatch(/No such image|Unable to find image|nothing can be pulled/);
    }
    expect(refusals.codes).not.toContain('setting_forbidden');
  });

  it('cannot be tagged into bob\'s names', async () => {
    for (const reference of attempts()) expect(await run(bob, `docker tag ${reference} stolen`), reference).toMatch(/No such image/);
    expect(await run(bob, 'docker image ls -q stolen')).toBe('');
  });

  it('cannot be used as a FROM or COPY --from source', async () => {
    await run(bob, `mkdir -p ~/steal && cd ~/steal && printf 'FROM ${aliceImageId.slice(0, 12)}\\n' > Dockerfile`);
    expect(await run(bob, 'docker build -t steal .')).toMatch(/does not exist in your lab/);
    await run(bob, `printf 'FROM stagecraft/runtime\\nCOPY --from=sc-${aliceId}/hello-world /hello /x\\n' > Dockerfile`);
    expect(await run(bob, 'docker build -t steal .')).toMatch(/does not exist in your lab/);
    await run(bob, 'cd ~/w');
  });

  it('answers exactly as a missing image does, and the log says not_owner', async () => {
    refusals.clear();
    const hidden = await run(bob, `docker image inspect ${aliceImageId.slice(0, 12)}`);
    expect(refusals.codes).toContain('not_owner');
    const missing = await run(bob, 'docker image inspect 0123456789ab');
    expect(hidden.replace(aliceImageId.slice(0, 12), 'X')).toBe(missing.replace('0123456789ab', 'X'));
  });
});

describe("another learner's container", () => {
  it.each(['inspect', 'start', 'logs', 'rm -f', 'stop', 'kill', 'exec', 'attach', 'wait'])('cannot be reached with docker %s by name, id or short id', async (command) => {
    for (const reference of ['mine', aliceContainerId, aliceContainerId.slice(0, 12), `sc-${aliceId}_mine`]) {
      const suffix = command === 'exec' ? ' true' : '';
      const output = await run(bob, `timeout 20 docker ${command} ${reference}${suffix}`);
      expect(output, `${command} ${reference}`).toMatch(/No such (container|object)/);
    }
    expect((await docker.getContainer(aliceContainerId).inspect()).State.Status).toBe('created');
  });

  it('is not in bob\'s docker ps -a, and bob\'s workspace is not in his own', async () => {
    const list = await run(bob, "docker ps -a --format '{{.Names}}'");
    expect(list).not.toContain('mine');
    expect(list).not.toContain('stagecraft-ws');
  });
});

describe('base images', () => {
  it.each([
    ['docker tag hello-world stagecraft/toolchain', 'base images'],
    ['docker tag hello-world stagecraft/runtime:latest', 'base images'],
    ['docker image rm stagecraft/runtime', 'base images'],
    ['docker image rm -f stagecraft/toolchain:latest', 'base images'],
    ['docker build -q -t stagecraft/runtime .', 'base images'],
  ])('are read-only: %s', async (command, message) => {
    refusals.clear();
    expect(await run(bob, command)).toContain(message);
    expect(refusals.codes).toContain('base_image_read_only');
  });
});

describe('prune', () => {
  // A third learner of its own: the other tests need bob's image.
  it("docker system prune -a as carol removes carol's images and leaves the others'", async () => {
    const carol = await openTerminal(server.url);
    try {
      await run(carol, `mkdir -p ~/w && cd ~/w && ${HELLO} && ${dockerfile('carol')} && docker build -q -t hello-world . && docker create hello-world`, 120_000);
      const output = await run(carol, 'docker system prune -a -f', 60_000);
      expect(output).toContain('Total reclaimed space');
      expect(await run(carol, 'docker image ls -q hello-world')).toBe('');
      expect(await run(carol, 'docker ps -aq')).toBe('');
      expect(await run(alice, 'docker run --rm hello-world')).toBe('Hello from alice\n');
      expect(await run(bob, 'docker run --rm hello-world')).toBe('Hello from bob\n');
      expect((await docker.getContainer(aliceContainerId).inspect()).Id).toBe(aliceContainerId);
    } finally {
      await carol.close();
    }
  });
});

describe('the gateway answers as the engine would, with names mapped back', () => {
  const engineName = () => `sc-${aliceId}/hello-world:latest`;

  it('docker image inspect', async () => {
    const viaGateway = JSON.parse(await run(alice, 'docker image inspect hello-world'))[0];
    const direct = await docker.getImage(engineName()).inspect();
    expect(viaGateway).toEqual(JSON.parse(JSON.stringify(direct).replaceAll(`sc-${aliceId}/`, '')));
  });

  it('docker history', async () => {
    const viaGateway = await run(alice, "docker history --no-trunc --format '{{.ID}} {{.Size}} {{.CreatedBy}}' hello-world");
    const direct = (await docker.getImage(engineName()).history()) as { Id: string; CreatedBy: string }[];
    // Less the lab's own label step (its id goes to the entry below it): the learner wrote no such step.
    expect(viaGateway.trim().split('\n').map((line) => line.split(' ')[0])).toEqual(withoutLabLabelStep(direct).map((entry) => entry.Id));
    expect(direct).toHaveLength(withoutLabLabelStep(direct).length + 1);
  });

  it('docker images', async () => {
    const viaGateway = await run(alice, "docker image ls --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' hello-world");
    const direct = await docker.listImages({ filters: { reference: [engineName()] } });
    expect(viaGateway.trim()).toBe(`${direct[0]!.Id} hello-world:latest`);
  });
});
