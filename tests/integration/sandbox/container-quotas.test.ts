// The container side of the quotas: volumes an image declares, the image-plus-writes quota at
// container create and start, and the size of what learners create and the gateway must hold.
// Quotas are set small so the test is quick.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, type TerminalClient } from '../../support/terminal-client.ts';
import { recordRefusals, type RefusalLog } from '../../support/refusals.ts';
import { run } from '../../support/shell.ts';
import { LABELS, LIMITS } from '../../../server/sandbox/index.ts';

const docker = new Docker();
let server: TestServer;
let terminal: TerminalClient;
let learner: string;
let refusals: RefusalLog;
const inspect = (id: string) => docker.getContainer(id).inspect();

beforeAll(async () => {
  refusals = recordRefusals();
  server = await startTestServer({ STAGECRAFT_IMAGE_QUOTA_MB: '20', STAGECRAFT_DISK_QUOTA_MB: '30' });
  terminal = await openTerminal(server.url);
  [learner] = server.learners();
  // A build can no longer declare VOLUME; an image made before that rule still can, as this one, made
  // in the learner's name the way the engine would have made it.
  const base = await docker.createContainer({ Image: 'stagecraft/runtime', Cmd: ['true'] });
  await base.commit({ repo: `sc-${learner}/vol`, tag: 'latest', changes: 'VOLUME /data' });
  await base.remove();
});

afterAll(async () => {
  refusals.stop();
  await terminal?.close();
  await server?.cleanup();
});

describe('volumes an image declares', () => {
  it('get a bounded tmpfs, never an engine volume outside the disk quota', async () => {
    const id = (await run(terminal, 'docker create vol true')).trim();
    const info = await inspect(id);
    expect(info.Mounts.filter((m) => m.Type === 'volume')).toEqual([]);
    expect(info.HostConfig.Mounts).toEqual([{ Type: 'tmpfs', Target: '/data', TmpfsOptions: { SizeBytes: LIMITS.imageVolumeBytes } }]);
    expect(await run(terminal, "docker image inspect vol --format '{{json .Config.Volumes}} {{.RepoTags}}'")).toBe('{"/data":{}} [vol:latest]\n');
    await run(terminal, `docker rm ${id} > /dev/null`);
  });

  it('stop a write past their size at once, and keep nothing after the container', async () => {
    const mb = LIMITS.imageVolumeBytes / 1024 ** 2;
    const output = await run(terminal, `docker run --rm vol sh -c 'dd if=/dev/zero of=/data/big bs=1M count=${mb + 16} 2>&1; df -m /data | tail -1'`, 60_000);
    expect(output).toContain('No space left on device');
    expect(output).toMatch(new RegExp(`^tmpfs\\s+${mb}\\s`, 'm'));
  });

  it('go with their container on docker rm and prune, even one made before this rule (with a volume)', async () => {
    // As an older server made it: the learner's container with the engine's anonymous volume.
    const made = async (name: string) => {
      const container = await docker.createContainer({
        name: `sc-${learner}_${name}`, Image: `sc-${learner}/vol`, Cmd: ['true'],
        Labels: { [LABELS.learner]: learner!, [LABELS.role]: 'learner-container' },
      });
      const volume = (await container.inspect()).Mounts.find((m) => m.Type === 'volume')!.Name!;
      return volume;
    };
    const removed = await made('old-rm');
    const pruned = await made('old-prune');
    const gone = async (name: string) => (await docker.getVolume(name).inspect().then(() => false, () => true));
    try {
      await run(terminal, 'docker rm old-rm > /dev/null && docker container prune -f > /dev/null');
      expect(await gone(removed)).toBe(true);
      expect(await gone(pruned)).toBe(true);
    } finally {
      for (const name of [removed, pruned]) await docker.getVolume(name).remove().catch(() => undefined); // gone, as it should be
    }
  });
});

describe('the image-plus-writes quota', () => {
  it('refuses a container create and start once images and writes pass it, and docker rm frees it', async () => {
    await run(terminal, 'docker run --name writer stagecraft/runtime dd if=/dev/zero of=/big bs=1M count=25 2>/dev/null', 60_000);
    refusals.clear();
    expect(await run(terminal, 'docker create stagecraft/runtime true')).toContain('Error response from daemon: Stagecraft: your images and containers take');
    expect(await run(terminal, 'docker start writer')).toContain('the most this lab allows is 21 MB');
    expect(refusals.codes.filter((c) => c === 'quota_image_bytes')).toHaveLength(2);
    expect(Number((await run(terminal, 'docker ps -aq | wc -l')).trim())).toBe(1);
    await run(terminal, 'docker rm writer > /dev/null');
    const id = (await run(terminal, 'docker create stagecraft/runtime true')).trim();
    expect(id).toMatch(/^[a-f0-9]{64}$/);
    await run(terminal, `docker rm ${id} > /dev/null`);
  });
});

describe('the disk quota over a learner\'s running containers', () => {
  it('stops the largest writer when containers created first and started at once write past it together', async () => {
    // Each writes 18 MB, under the 30 MB disk quota; together 36 MB. Created before any wrote, they
    // pass the checks at create and start; only the watcher sees their sum.
    for (const name of ['w1', 'w2']) await run(terminal, `docker create --name ${name} stagecraft/runtime sh -c 'dd if=/dev/zero of=/big bs=1M count=18 2>/dev/null; sleep 600' > /dev/null`);
    await run(terminal, 'docker start w1 w2 > /dev/null');
    const deadline = Date.now() + 30_000;
    let running = 2;
    while (running === 2 && Date.now() < deadline) {
      running = Number((await run(terminal, 'docker ps -q --filter name=w | wc -l')).trim());
    }
    expect(running).toBe(1);
    await run(terminal, 'docker rm -f w1 w2 > /dev/null', 30_000);
  });
});

describe('what learners create, and what the gateway holds of it', () => {
  it('refuses a container create with more than 64 KiB of labels, or a body past 256 KiB, and makes nothing', async () => {
    const before = await run(terminal, 'docker ps -aq | wc -l');
    refusals.clear();
    expect(await run(terminal, 'docker create --label big=$(head -c 70000 /dev/zero | tr "\\0" a) stagecraft/runtime true'))
      .toContain(`Error response from daemon: Stagecraft: the labels take 70003 bytes, more than the ${LIMITS.labelBytes / 1024} KiB this lab allows`);
    expect(await run(terminal, 'docker create stagecraft/runtime echo $(head -c 300000 /dev/zero | tr "\\0" a | fold -w 1000)'))
      .toContain(`the container's settings are larger than ${LIMITS.containerCreateBytes / 1024} KiB`);
    expect(refusals.codes).toEqual(['body_too_large', 'body_too_large']);
    expect(await run(terminal, 'docker ps -aq | wc -l')).toBe(before);
  });

  it('lists containers with huge labels (made before the cap) in parallel without holding them, and fails closed where it must read them whole', async () => {
    // As an older gateway let a learner make them: 17 containers with 1 MB of labels each.
    const ids: string[] = [];
    for (let i = 0; i < 17; i++) {
      const container = await docker.createContainer({
        name: `sc-${learner}_big${i}`, Image: 'stagecraft/runtime', Cmd: ['true'],
        Labels: { [LABELS.learner]: learner!, [LABELS.role]: 'learner-container', big: 'x'.repeat(1_000_000) },
      });
      ids.push(container.id);
    }
    try {
      const socketPath = path.join(server.dataDir, 'gateways', learner!, 'docker.sock');
      const list = () => new Promise<number>((resolve, reject) => {
        http.get({ socketPath, path: '/v1.41/containers/json?all=1' }, (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
          res.on('end', () => resolve(bytes));
          res.on('error', reject);
        }).on('error', reject);
      });
      const idle = process.memoryUsage.rss();
      let peak = idle;
      const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 10);
      const sizes = await Promise.all(Array.from({ length: 12 }, list));
      clearInterval(sampler);
      for (const size of sizes) expect(size).toBeGreaterThan(17_000_000);
      // Buffered whole, twelve answers of 17 MB cost the server (this process) 0.75 GB; streamed, under 0.1.
      expect(peak - idle).toBeLessThan(300 * 1024 ** 2);
      // A quota check must read the learner's list whole: past what one answer may hold, it refuses
      // (never reads a cut-off list as empty), and the server carries on.
      expect(await run(terminal, 'docker create stagecraft/runtime true')).toContain('too large to hold right now');
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    } finally {
      for (const id of ids) await docker.getContainer(id).remove({ force: true }).catch(() => undefined); // already gone
    }
  });

  it('a neighbour\'s images with huge labels break neither the learner\'s image list nor their quota checks', async () => {
    // Another learner's 20 images with 0.9 MB of labels each: 18 MB of the engine's image list.
    const neighbour = crypto.randomBytes(10).toString('hex');
    const context = fs.mkdtempSync(path.join(os.tmpdir(), 'scq-'));
    fs.writeFileSync(path.join(context, 'Dockerfile'), 'FROM stagecraft/runtime\n');
    const tags = Array.from({ length: 20 }, (_, i) => `sc-${neighbour}/big${i}:latest`);
    try {
      for (const [i, tag] of tags.entries()) {
        const stream = await docker.buildImage({ context, src: ['Dockerfile'] }, { t: tag, labels: { big: `${i}`.padEnd(900_000, 'x') } });
        await new Promise((resolve, reject) => docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve(undefined))));
      }
      expect(await run(terminal, "docker images --format '{{.Repository}}' vol")).toBe('vol\n');
      const id = (await run(terminal, 'docker create stagecraft/runtime true')).trim();
      expect(id).toMatch(/^[a-f0-9]{64}$/);
      await run(terminal, `docker rm ${id} > /dev/null`);
    } finally {
      for (const tag of tags) await docker.getImage(tag).remove({ force: true }).catch(() => undefined); // not built
      fs.rmSync(context, { recursive: true, force: true });
    }
  });
});
