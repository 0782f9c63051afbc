// Quotas an operator tunes, set small so the test is quick: image count and bytes, build time, and
// disk by accounting (a container, a build step, a home folder that outgrows it is stopped, and only
// that learner's).
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, type TerminalClient } from '../../support/terminal-client.ts';
import { recordRefusals, type RefusalLog } from '../../support/refusals.ts';
import { run } from '../../support/shell.ts';
import { LIMITS } from '../../../server/sandbox/index.ts';
import { CloseCode } from '../../../src/schemas/frames.ts';

const docker = new Docker();
let server: TestServer;
let terminal: TerminalClient;
let neighbour: TerminalClient;
let learner: string;
let other: string;
let refusals: RefusalLog;
const state = async (id: string) => (await docker.getContainer(id).inspect().catch(() => undefined))?.State.Status ?? 'gone';

beforeAll(async () => {
  refusals = recordRefusals();
  server = await startTestServer({ STAGECRAFT_IMAGE_QUOTA_MB: '20', STAGECRAFT_DISK_QUOTA_MB: '30', STAGECRAFT_DISK_FILES: '3000', STAGECRAFT_BUILD_TIMEOUT_SECONDS: '4' });
  terminal = await openTerminal(server.url);
  [learner] = server.learners();
  neighbour = await openTerminal(server.url);
  other = server.learners().find((id) => id !== learner)!;
});

afterAll(async () => {
  refusals.stop();
  await terminal?.close();
  await neighbour?.close();
  await server?.cleanup();
});

/**
 * Runs a command that takes the learner's home past a quota, then has the watcher look. It looks
 * every few seconds on its own too, so the workspace may be stopped while the command still runs:
 * its shell then ends with the workspace, which is the same outcome.
 */
async function writeUntilStopped(command: string): Promise<void> {
  try {
    await run(terminal, command, 60_000);
  } catch (error) {
    if (terminal.closeCode !== CloseCode.shellExited) throw error;
    return;
  }
  await server.sweep();
}

describe('image quotas', () => {
  it(`refuses image number ${LIMITS.maxImages + 1}, and image rm frees the quota`, async () => {
    await run(terminal, `for i in $(seq ${LIMITS.maxImages}); do docker tag stagecraft/runtime t$i; done`, 60_000);
    refusals.clear();
    expect(await run(terminal, 'docker tag stagecraft/runtime one-more')).toContain(`you have ${LIMITS.maxImages} images`);
    expect(refusals.codes).toContain('quota_images');
    await run(terminal, 'docker image rm t1 > /dev/null');
    expect(await run(terminal, 'docker tag stagecraft/runtime one-more && echo tagged')).toBe('tagged\n');
    await run(terminal, `docker image rm one-more $(seq -f 't%g' 2 ${LIMITS.maxImages}) > /dev/null`, 60_000);
  });

  it('refuses a build once the learner\'s images and containers pass the quota', async () => {
    await run(terminal, "mkdir -p ~/fat && cd ~/fat && printf 'FROM stagecraft/runtime\\nRUN dd if=/dev/zero of=/fat bs=1M count=12\\n' > Dockerfile");
    expect(await run(terminal, 'docker build -q -t fat .', 60_000)).toMatch(/^sha256:/);
    await run(terminal, 'docker run --name writer stagecraft/runtime dd if=/dev/zero of=/w bs=1M count=10 2>/dev/null', 60_000);
    refusals.clear();
    expect(await run(terminal, 'docker build -q -t fat2 .')).toContain('the most this lab allows is 21 MB');
    expect(refusals.codes).toContain('quota_image_bytes');
    await run(terminal, 'docker rm writer > /dev/null; docker image rm fat > /dev/null; cd ~');
  });

  // Sixth review: the quota was checked before a build only, and four steps of 800 MB made a 3.36 GB
  // image under 2 GiB. Here each step adds 8 MiB: two fit in the 20 MiB quota, the third does not.
  it('stops a build whose steps each fit but together pass the quota, and keeps none of its images', async () => {
    const steps = ['a', 'b', 'c', 'd'].map((name) => `RUN dd if=/dev/zero of=/${name} bs=1M count=8 2>/dev/null`).join('\\n');
    await run(terminal, `mkdir -p ~/steps && cd ~/steps && printf 'FROM stagecraft/runtime\\n${steps}\\n' > Dockerfile`);
    refusals.clear();
    const out = await run(terminal, 'docker build -t steps . 2>&1; echo "exit $?"', 60_000);
    expect(out).toMatch(/this build's layers took your images and containers to 2\d MB, past the most this lab allows, 21 MB/);
    expect(out).toMatch(/exit [1-9]\d*\n$/);
    expect(refusals.codes).toContain('quota_image_bytes');
    // Its images are gone, so the quota is free again (they would count: the build records them).
    await expect.poll(() => run(terminal, 'docker tag stagecraft/runtime small 2>&1 && echo tagged'), { timeout: 10_000 }).toBe('tagged\n');
    await run(terminal, 'docker image rm small > /dev/null; cd ~');
    expect(await run(terminal, 'docker images -q steps')).toBe('');
  });

  // Eighth review: the step the engine was on when the gateway stopped the build still finished,
  // and the lab's label step committed after it: a 504 MB image stayed, which the gateway never saw.
  it('leaves nothing behind when the last step is the one that passes the quota', async () => {
    await run(terminal, "mkdir -p ~/last && cd ~/last && printf 'FROM stagecraft/runtime\\nRUN head -c 25000000 /dev/zero > /big\\n' > Dockerfile");
    refusals.clear();
    expect(await run(terminal, 'docker build -t last . 2>&1; echo "exit $?"', 60_000)).toMatch(/past the most this lab allows, 21 MB, so it was stopped[\s\S]*exit [1-9]/);
    // Nothing of it stays on the engine (the label step's image included), and the quota is free.
    const recent = async () => (await docker.listImages({ all: true, filters: { label: [`org.stagecraft.learner=${learner}`] } }))
      .filter((image) => Date.now() / 1000 - image.Created < 120).length;
    const free = async () => `${await recent()} ${await run(terminal, 'docker tag stagecraft/runtime small 2>&1 && docker image rm small > /dev/null && echo tagged')}`;
    await expect.poll(free, { timeout: 20_000 }).toBe('0 tagged\n');
    expect(await run(terminal, 'docker images -q last; cd ~')).toBe('');
  });

  // Seventh review: a step the shared build cache answered weighed nothing, so a learner built on
  // another learner's cached layers to 1.7x the quota in one build.
  it('weighs the steps the build cache answers with another learner\'s layers, and not those the learner pays for', async () => {
    const dockerfile = (names: string[]) => `FROM stagecraft/runtime\\n${names.map((n) => `RUN dd if=/dev/zero of=/${n} bs=1M count=8 2>/dev/null`).join('\\n')}\\n`;
    // The neighbour's build leaves two 8 MiB layers in the cache.
    await run(neighbour, `mkdir -p ~/cached && cd ~/cached && printf '${dockerfile(['a', 'b'])}' > Dockerfile`);
    expect(await run(neighbour, 'docker build -q -t cached . 2>&1; cd ~', 60_000)).toMatch(/^sha256:/);
    // The learner's build takes both from the cache, and its third step passes the quota.
    await run(terminal, `mkdir -p ~/cached && cd ~/cached && printf '${dockerfile(['a', 'b', 'c', 'd'])}' > Dockerfile`);
    refusals.clear();
    const out = await run(terminal, 'docker build -t cached . 2>&1; echo "exit $?"', 60_000);
    expect(out).toContain('Using cache');
    expect(out).toMatch(/this build's layers took your images and containers to 2\d MB, past the most this lab allows, 21 MB/);
    expect(out).toMatch(/exit [1-9]\d*\n$/);
    expect(refusals.codes).toContain('quota_image_bytes');
    expect(await run(neighbour, 'docker images -q cached')).toMatch(/^[0-9a-f]{12}\n$/); // theirs, untouched
    // Layers the learner already pays for weigh nothing when the cache gives them again: 8 MiB held,
    // and a build of that layer and one more adds 8 MiB, not 16.
    await run(terminal, `printf '${dockerfile(['a'])}' > Dockerfile`);
    await expect.poll(() => run(terminal, 'docker build -q -t one . 2>&1', 60_000), { timeout: 30_000 }).toMatch(/^sha256:/);
    await run(terminal, `printf '${dockerfile(['a', 'b'])}' > Dockerfile`);
    expect(await run(terminal, 'docker build -q -t two . 2>&1', 60_000)).toMatch(/^sha256:/);
    await run(terminal, 'docker image rm one two > /dev/null; cd ~');
    await run(neighbour, 'docker image rm cached > /dev/null');
  });

  // Seventh review: each step stayed under the files quota while it ran, and layers were weighed in
  // bytes only: 8 steps of 15,000 empty files made an image of 120,298 files under a 20,000 quota.
  // Here each step makes 1,100 files: two fit in the 3,000 files quota, the third does not (a fourth
  // follows, so the build is cut before it ends).
  it('stops a build whose layers together pass the files quota, counting the files of the images held', async () => {
    const dockerfile = (names: string[]) => `FROM stagecraft/runtime\\n${names.map((n) => `RUN mkdir /${n} && cd /${n} && seq 1100 | xargs touch`).join('\\n')}\\n`;
    await run(terminal, `mkdir -p ~/many && cd ~/many && printf '${dockerfile(['a', 'b', 'c', 'd'])}' > Dockerfile`);
    refusals.clear();
    const out = await run(terminal, 'docker build -t many . 2>&1; echo "exit $?"', 60_000);
    expect(out).toMatch(/this build's layers took your images to 3\d{3} files and folders, past the most this lab allows, 3000, so it was stopped/);
    expect(out).toMatch(/exit [1-9]\d*\n$/);
    expect(refusals.codes).toContain('quota_files');
    expect(await run(terminal, 'docker images -q many')).toBe('');
    // Its images are gone, so the quota is free again. Two steps fit; the image they make is held,
    // and another build's first step takes the learner past the quota.
    await run(terminal, `printf '${dockerfile(['a', 'b'])}' > Dockerfile`);
    await expect.poll(() => run(terminal, 'docker build -q -t two . 2>&1', 60_000), { timeout: 30_000 }).toMatch(/^sha256:/);
    await run(terminal, `printf '${dockerfile(['c', 'd'])}' > Dockerfile`);
    refusals.clear();
    expect(await run(terminal, 'docker build -t one . 2>&1; echo "exit $?"', 60_000)).toMatch(/past the most this lab allows, 3000, so it was stopped[\s\S]*exit [1-9]/);
    expect(refusals.codes).toContain('quota_files');
    await run(terminal, 'docker image rm two > /dev/null; cd ~');
    await expect.poll(() => run(terminal, 'docker build -q -t one ~/many 2>&1', 60_000), { timeout: 30_000 }).toMatch(/^sha256:/);
    await run(terminal, 'docker image rm one > /dev/null');
  });

  // Fifth review: holds were counted only through the learner's latest 400 build records, so a
  // learner with more builds than that held stage images past the quota. Here the held image is one
  // no record of the learner's reaches at all (the neighbour built it): the hold alone makes it theirs.
  it('counts the stage images the gateway holds for the learner, whatever their records reach', async () => {
    // 12 MiB held and a 10 MiB container of the learner's pass the quota together; the container alone does not.
    await run(neighbour, "mkdir -p ~/fat && cd ~/fat && printf 'FROM stagecraft/runtime\\nRUN dd if=/dev/zero of=/fat bs=1M count=12\\n' > Dockerfile");
    const id = (await run(neighbour, 'docker build -q -t fat . && cd ~', 60_000)).trim();
    expect(id).toMatch(/^sha256:/);
    const hold = { repo: `sc-held-${learner}/f-quota-test`, tag: 's0' };
    await docker.getImage(id).tag(hold);
    await run(terminal, 'docker run --name writer stagecraft/runtime dd if=/dev/zero of=/w bs=1M count=10 2>/dev/null', 60_000);
    try {
      refusals.clear();
      expect(await run(terminal, 'docker tag stagecraft/runtime small')).toContain('the most this lab allows is 21 MB');
      expect(refusals.codes).toContain('quota_image_bytes');
    } finally {
      await docker.getImage(`${hold.repo}:${hold.tag}`).remove();
      await run(neighbour, 'docker image rm fat > /dev/null');
    }
    await run(terminal, 'docker rm writer > /dev/null');
    expect(await run(terminal, 'docker tag stagecraft/runtime small && docker image rm small > /dev/null && echo tagged')).toBe('tagged\n');
  });
});

describe('build time', () => {
  it('stops a build that runs past the time limit, with a message', async () => {
    await run(terminal, "mkdir -p ~/slow && cd ~/slow && printf 'FROM stagecraft/runtime\\nRUN sleep 30\\n' > Dockerfile");
    const started = Date.now();
    expect(await run(terminal, 'docker build -t slow .; cd ~', 60_000)).toContain('the build ran longer than 4 seconds and was stopped');
    expect(Date.now() - started).toBeLessThan(25_000);
  });
});

describe('disk by accounting', () => {
  it('stops a learner container that writes past the quota', async () => {
    const id = (await run(terminal, "docker run -d stagecraft/runtime sh -c 'dd if=/dev/zero of=/big bs=1M count=50; sleep 300'")).trim();
    await expect.poll(async () => { await server.sweep(); return state(id); }, { timeout: 30_000, interval: 1000 }).toBe('exited');
    await run(terminal, `docker rm ${id}`);
  });

  /** The build's output, with the disk watcher looking every second while it runs. */
  async function buildWatched(folder: string, dockerfile: string): Promise<string> {
    await run(terminal, `mkdir -p ~/${folder} && cd ~/${folder} && printf '${dockerfile}' > Dockerfile`);
    const sweeping = setInterval(() => void server.sweep(), 1000);
    try {
      return await run(terminal, `docker build --no-cache -t ${folder} .; cd ~`, 60_000);
    } finally {
      clearInterval(sweeping);
    }
  }

  it('stops a build step that writes past the quota', async () => {
    expect(await buildWatched('disk', 'FROM stagecraft/runtime\\nRUN dd if=/dev/zero of=/big bs=1M count=50 && sleep 20\\n')).toMatch(/returned a non-zero code: 137/);
  });

  // Sixth and seventh reviews: a build step after VOLUME wrote into an engine volume, outside its
  // layer, kept until the build ended (3 GB; then 8 steps of 90 MB, each done within one look).
  it('refuses VOLUME in a build, so no step writes into an engine volume', async () => {
    refusals.clear();
    expect(await buildWatched('vol', 'FROM stagecraft/runtime\\nVOLUME /data\\nRUN dd if=/dev/zero of=/data/big bs=1M count=50\\n')).toContain('VOLUME is not available in this lab\'s builds');
    expect(refusals.codes).toContain('dockerfile_forbidden');
  });

  // Sixth review: one container made 300k empty files, which no byte count sees. The files quota
  // here is 3000: 2000 kept by a stopped container and 1500 by a running one pass it together.
  // Seventh review: containers created first, started at once, that each wrote under the quota and
  // exited between two looks were never stopped: six held 566 MB under a 200 MiB quota.
  it('removes, largest first, the stopped containers whose writes together pass the quota', async () => {
    const ids: string[] = [];
    for (const mb of [10, 12, 11]) {
      ids.push((await run(terminal, `docker create stagecraft/runtime sh -c 'sleep 1; dd if=/dev/zero of=/w bs=1M count=${mb} 2>/dev/null'`)).trim());
    }
    await run(terminal, `docker start ${ids.join(' ')} > /dev/null`);
    await expect.poll(async () => Promise.all(ids.map(state)), { timeout: 30_000 }).toEqual(['exited', 'exited', 'exited']);
    await server.sweep();
    // 33 MiB held under 30 MB: the 12 MiB one goes, the others fit and stay.
    expect(await Promise.all(ids.map(state))).toEqual(['exited', 'gone', 'exited']);
    await run(terminal, `docker rm ${ids[0]} ${ids[2]} > /dev/null`);
  });

  // Eighth review: a container started again and again, stopped each time past the files quota,
  // kept 247,605 files under a 20,000 quota, since only bytes made a stopped container go.
  it('removes a stopped container that holds the files quota, however it got there', async () => {
    const files = (n: number) => `i=0; while [ $i -lt ${n} ]; do : > /f$i; i=$((i+1)); done`;
    const small = (await run(terminal, `docker run -d stagecraft/runtime sh -c '${files(500)}'`)).trim();
    const many = (await run(terminal, `docker run -d stagecraft/runtime sh -c '${files(3200)}'`)).trim();
    await expect.poll(async () => Promise.all([small, many].map(state)), { timeout: 30_000 }).toEqual(['exited', 'exited']);
    await server.sweep();
    expect(await Promise.all([small, many].map(state))).toEqual(['exited', 'gone']);
    await run(terminal, `docker rm ${small} > /dev/null`);
  });

  it('stops a container that adds files past the files quota, counting those a stopped container keeps', async () => {
    const files = (n: number) => `i=0; while [ $i -lt ${n} ]; do : > /f$i; i=$((i+1)); done`;
    const kept = (await run(terminal, `docker run -d stagecraft/runtime sh -c '${files(2000)}'`)).trim();
    await expect.poll(() => state(kept), { timeout: 30_000 }).toBe('exited');
    await server.sweep(); // the stopped one alone fits
    const growing = (await run(terminal, `docker run -d stagecraft/runtime sh -c '${files(1500)}; sleep 300'`)).trim();
    // Stopped, though its own 1,500 files fit: the stopped one's count. (Once both are stopped, the
    // next look removes the larger, as the next test shows.)
    await expect.poll(async () => { await server.sweep(); return state(growing); }, { timeout: 30_000, interval: 1000 }).not.toBe('running');
    await run(terminal, `docker rm ${kept} ${growing} > /dev/null 2>&1`);
  });

  it('stops the workspace of a learner whose home keeps adding files past the files quota', async () => {
    await writeUntilStopped('mkdir -p ~/many && cd ~/many && i=0; while [ $i -lt 3500 ]; do : > f$i; i=$((i+1)); done; cd ~; echo written');
    expect(await state(`stagecraft-ws-${learner}`)).toBe('exited');
    terminal = await openTerminal(server.url, terminal.cookie);
    await run(terminal, 'rm -r ~/many');
  });

  it('stops the workspace of a learner whose home keeps growing past the quota, and only theirs', async () => {
    await writeUntilStopped('dd if=/dev/zero of=~/big bs=1M count=50 2>/dev/null; echo written');
    expect(await state(`stagecraft-ws-${learner}`)).toBe('exited');
    expect(await state(`stagecraft-ws-${other}`)).toBe('running');
    expect(await run(neighbour, 'echo still here')).toBe('still here\n');
    // Back in, the learner can clean up; a home that no longer grows is left running.
    terminal = await openTerminal(server.url, terminal.cookie);
    await server.sweep();
    expect(await state(`stagecraft-ws-${learner}`)).toBe('running');
    await run(terminal, 'rm ~/big');
  });
});
