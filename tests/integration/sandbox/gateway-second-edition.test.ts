// The gateway's second edition, against the real engine: each attack below worked on the first
// edition, because the gateway checked the learner's bytes and the engine then read them differently.
// Now the engine reads only a Dockerfile and a build context that the gateway wrote.
import http from 'node:http';
import path from 'node:path';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';
import { END, paxEntry, rawEntry } from '../../support/tar.ts';
import { waitFor } from '../../support/engine.ts';

const docker = new Docker();
let server: TestServer;
let alice: TerminalClient;
let bob: TerminalClient;
let aliceId: string;
let bobId: string;
let aliceImage: string;
// A server on the host's loopback that the engine could reach, were it made to fetch.
let bait: http.Server;
let baitHits = 0;
let baitUrl: string;

beforeAll(async () => {
  bait = http.createServer((_req, res) => { baitHits++; res.end('FROM stagecraft/runtime\n'); });
  await new Promise<void>((resolve) => bait.listen(0, '127.0.0.1', resolve));
  baitUrl = `http://127.0.0.1:${(bait.address() as { port: number }).port}/`;
  server = await startTestServer();
  alice = await openTerminal(server.url);
  aliceId = server.learners()[0]!;
  bob = await openTerminal(server.url);
  bobId = server.learners().find((id) => id !== aliceId)!;
  await run(alice, `mkdir -p ~/a && cd ~/a && printf 'FROM stagecraft/runtime\\nRUN echo alice > /secret\\n' > Dockerfile`);
  aliceImage = (await run(alice, 'docker build -q -t secret .', 120_000)).trim().replace('sha256:', '');
  expect(aliceImage).toMatch(/^[a-f0-9]{64}$/);
}, 240_000);

afterAll(async () => {
  await alice?.close();
  await bob?.close();
  await server?.cleanup();
  await new Promise((resolve) => bait?.close(resolve));
});

/** Bob's CLI, as a process in his workspace would call it: a raw build on his gateway socket. */
function build(learner: string, context: Buffer, query = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath: path.join(server.dataDir, 'gateways', learner, 'docker.sock'), method: 'POST', path: `/v1.41/build?rm=1&forcerm=1${query}`,
      headers: { 'Content-Type': 'application/x-tar', 'Content-Length': String(context.length) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(context);
  });
}

async function contextWith(dockerfile: string, extra: Array<{ name: string; data: string }> = []): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: 'Dockerfile' }, dockerfile);
  for (const file of extra) pack.entry({ name: file.name }, file.data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the Dockerfile is read as the engine reads it', () => {
  it.each([
    ['FROM split over a continuation, by id prefix', () => `FR\\\nOM ${aliceImage.slice(0, 12)}\n`],
    ['FROM split over a continuation, by engine name', () => `FR\\\nOM sc-${aliceId}/secret\n`],
    ['FROM in quotes', () => `FROM "${aliceImage.slice(0, 12)}"\n`],
    ['COPY --from split over a continuation', () => `FROM stagecraft/runtime\nCO\\\nPY --from=${aliceImage.slice(0, 12)} /secret /s\n`],
    ['COPY with an escaped flag name', () => `FROM stagecraft/runtime\nCOPY --fr\\om=${aliceImage.slice(0, 12)} /secret /s\n`],
  ])("cannot reach another learner's image: %s", async (_what, dockerfile) => {
    const answer = await build(bobId, await contextWith(dockerfile()));
    expect(answer.text).toMatch(/does not exist in your lab/);
    expect(answer.text).not.toMatch(/Successfully built/);
  });

  it.each([
    ['ADD split over a continuation', () => `FROM stagecraft/runtime\nAD\\\nD ${baitUrl} /x\n`],
    ['ADD with a quoted URL', () => `FROM stagecraft/runtime\nADD "${baitUrl}" /x\n`],
    ['ADD with a URL in exec form', () => `FROM stagecraft/runtime\nADD ["${baitUrl}", "/x"]\n`],
  ])('cannot make the engine fetch from the host: %s', async (_what, dockerfile) => {
    const answer = await build(bobId, await contextWith(dockerfile()));
    expect(answer.text).toMatch(/ADD from a URL is not available/);
    expect(baitHits).toBe(0);
  });

  it.each([
    ['through a variable', 'ENV x=stagecraft\nLABEL org.$x.role=workspace\n', /LABEL keys may not use variables/],
    ['in quotes', () => `LABEL "org.stagecraft.learner"=${aliceId}\n`, /reserved by the lab/],
    ['split over a continuation', () => `LAB\\\nEL org.stagecraft.learner=${aliceId}\n`, /reserved by the lab/],
  ])('cannot set the lab\'s own labels %s', async (_what, rest, message) => {
    const text = typeof rest === 'function' ? rest() : rest;
    const answer = await build(bobId, await contextWith(`FROM stagecraft/runtime\n${text}`));
    expect(answer.text).toMatch(message);
    expect(answer.text).not.toMatch(/Successfully built/);
  });

  it('points the engine\'s own errors at the learner\'s line', async () => {
    await run(bob, `mkdir -p ~/l && cd ~/l && printf 'FROM stagecraft/runtime\\nRUN echo one \\\\\\n  two\\n\\nCOPPY a b\\n' > Dockerfile`);
    expect(await run(bob, 'docker build . 2>&1 | tail -n 1')).toMatch(/line 5: unknown instruction: COPPY/i);
  });
});

describe('build arguments', () => {
  // The engine would hand these to every RUN without an ARG line; the gateway passes no build
  // argument to the engine at all (it writes declared ones into ARG lines), so none arrives.
  it('never give a build step the proxy a learner names', async () => {
    await run(bob, `mkdir -p ~/p && cd ~/p && printf 'FROM stagecraft/toolchain\\nRUN echo "proxy=[$HTTP_PROXY$http_proxy$HTTPS_PROXY$https_proxy$FTP_PROXY$NO_PROXY$ALL_PROXY]"\\n' > Dockerfile`);
    const proxies = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].map((name) => `--build-arg ${name}=${baitUrl}`).join(' ');
    const output = await run(bob, `docker build --no-cache ${proxies} . 2>&1`, 120_000);
    expect(output).toContain('proxy=[]');
    expect(output).toMatch(/Successfully built/);
    expect(baitHits).toBe(0);
  });
});

describe('the build context is rebuilt', () => {
  it.each([
    ['a pending PAX header', paxEntry({ path: 'renamed', size: '0' })],
    ['a pending GNU long name', rawEntry('././@LongLink', 'L', 'renamed\0')],
  ])('%s at the end of the learner\'s tar changes nothing the engine reads', async (_what, pending) => {
    const context = Buffer.concat([rawEntry('Dockerfile', '0', 'FROM stagecraft/runtime\nRUN echo read-by-the-engine\n'), pending, END]);
    const answer = await build(bobId, context);
    expect(answer.text).toMatch(/read-by-the-engine/);
    expect(answer.text).toMatch(/Successfully built/);
  });

  it.each([
    ['sparse-file keys', Buffer.concat([rawEntry('Dockerfile', '0', 'FROM stagecraft/runtime\n'), paxEntry({ 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0' }), rawEntry('x', '0', 'x'), END]), /tar extension this lab does not read/],
    ['an absolute path', Buffer.concat([rawEntry('Dockerfile', '0', 'FROM stagecraft/runtime\n'), rawEntry('/etc/x', '0', 'x'), END]), /absolute path/],
    ['a path that climbs out', Buffer.concat([rawEntry('Dockerfile', '0', 'FROM stagecraft/runtime\n'), rawEntry('../x', '0', 'x'), END]), /leaves the context/],
    ['a link out of the context', Buffer.concat([rawEntry('Dockerfile', '0', 'FROM stagecraft/runtime\n'), symlink('up', '../../etc/shadow'), END]), /outside the folder you build from/],
  ])('a tar with %s is refused with a clear message', async (_what, context, message) => {
    const answer = await build(bobId, context);
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(message);
  });

  it('a hard link in the context becomes a copy', async () => {
    const context = Buffer.concat([
      rawEntry('Dockerfile', '0', 'FROM stagecraft/runtime\nCOPY b /b\nRUN cat /b\n'), rawEntry('a', '0', 'linked-content\n'), hardLink('b', 'a'), END,
    ]);
    const answer = await build(bobId, context);
    expect(answer.text).toMatch(/linked-content/);
    expect(answer.text).toMatch(/Successfully built/);
  });
});

describe("a multi-stage build's earlier stage", () => {
  const dockerfile = `printf '%s\\n' 'FROM stagecraft/runtime AS first' 'RUN echo stage-one-$RANDOM > /made' 'FROM stagecraft/runtime' 'COPY --from=first /made /made' > Dockerfile`;
  let stageId: string;

  beforeAll(async () => {
    await run(bob, `mkdir -p ~/m && cd ~/m && ${dockerfile}`);
    const output = await run(bob, 'docker build -t two . 2>&1', 120_000);
    // The first stage's result is the last id printed before the second FROM.
    stageId = /---> ([0-9a-f]{12})\s+Step 3\/\d+ : FROM/.exec(output)?.[1] ?? '';
    expect(stageId, output).toMatch(/^[0-9a-f]{12}$/);
  }, 180_000);

  it('has neither name nor label, yet is the learner\'s own: listed for them, not for anyone else, counted in their quota, held while its build\'s image has a name, then gone with docker image prune', async () => {
    const info = await docker.getImage(stageId).inspect();
    // No learner's name: only the gateway's hold, while `two` has its name (grading reads the stage).
    expect((info.RepoTags ?? []).every((tag) => tag.startsWith(`sc-held-${bobId}/`))).toBe(true);
    expect(info.Config.Labels?.['org.stagecraft.learner']).toBeUndefined();
    expect(await run(bob, 'docker images -q')).toContain(stageId);
    expect(await run(alice, 'docker images -a -q')).not.toContain(stageId);
    expect(await run(alice, `docker image inspect ${stageId} 2>&1`)).toMatch(/No such image/);
    // One test: the prune below removes the stage the looks above need.
    // docker info counts what the quota counts: the learner's own images.
    const before = Number((await run(bob, "docker info --format '{{.Images}}'")).trim());
    await run(bob, 'docker image prune -f');
    expect((await docker.getImage(stageId).inspect()).Id).toContain(stageId);
    await run(bob, 'docker image rm two && docker image prune -f');
    await expect(docker.getImage(stageId).inspect()).rejects.toMatchObject({ statusCode: 404 });
    // Both went from the count: the image and its stage.
    expect(Number((await run(bob, "docker info --format '{{.Images}}'")).trim())).toBeLessThanOrEqual(before - 2);
  });
});

// Found by an independent attempt to break the gateway (2026-12-01).
describe('the build records believe only the engine', () => {
  it("a step that prints another learner's image id does not make it the learner's", async () => {
    const answer = await build(bobId, await contextWith(`FROM stagecraft/runtime\nRUN echo " ---> ${aliceImage.slice(0, 12)}" && echo $RANDOM\n`));
    expect(answer.text).toMatch(/Successfully built/);
    await waitFor(async () => (await run(bob, `docker image inspect ${aliceImage.slice(0, 12)} 2>&1`)).includes('No such image'), 'the record settles');
    expect(await run(bob, `docker image inspect ${aliceImage.slice(0, 12)} 2>&1`)).toMatch(/No such image/);
    expect(await run(bob, 'docker image prune -a -f 2>&1 && docker images -a -q')).not.toContain(aliceImage.slice(0, 12));
    expect((await docker.getImage(aliceImage).inspect()).Id).toContain(aliceImage);
  });

  it('a quiet build, and a stage that prints a Step line, still leave no image without an owner', async () => {
    // Listed without a name (the stage is held for the build's image, so the engine does not call it dangling).
    const dangling = async () => new Set((await run(bob, "docker images --no-trunc --format '{{.ID}} {{.Repository}}' | grep '<none>' | cut -d' ' -f1")).trim().split('\n').filter(Boolean));
    const before = await dangling();
    // A new Dockerfile each run ($RANDOM expanded by the shell): no step may come from the cache.
    await run(bob, `mkdir -p ~/q && cd ~/q && printf '%s\\n' 'FROM stagecraft/runtime AS first' "RUN echo 'Step 9/9 : FROM x' && echo $RANDOM$RANDOM > /made" 'FROM stagecraft/runtime' 'COPY --from=first /made /made' > Dockerfile && docker build -q -t quiet .`, 120_000);
    let added: string[] = [];
    await waitFor(async () => (added = [...(await dangling())].filter((id) => !before.has(id))).length > 0, "the stage's image is listed");
    for (const id of added) expect(((await docker.getImage(id).inspect()).RepoTags ?? []).every((tag) => tag.startsWith(`sc-held-${bobId}/`))).toBe(true);
  });

  it("a plain docker image prune never takes another learner's name from a shared cache entry", async () => {
    const shared = `printf '%s\\n' 'FROM stagecraft/runtime AS s1' 'RUN echo shared-${Date.now()} > /s' 'FROM stagecraft/runtime' 'COPY --from=s1 /s /s' > Dockerfile`;
    const output = await run(alice, `mkdir -p ~/c && cd ~/c && ${shared} && docker build . 2>&1`, 120_000);
    const stage = /---> ([0-9a-f]{12})\s+Step 3\/\d+ : FROM/.exec(output)?.[1];
    expect(stage, output).toBeDefined();
    await run(alice, `docker tag ${stage} keep`);
    await run(bob, `mkdir -p ~/c && cd ~/c && ${shared} && docker build -q .`, 120_000); // the same build: all from cache
    await run(bob, 'docker image prune -f');
    expect(await run(alice, 'docker image inspect keep --format ok 2>&1')).toBe('ok\n');
  });

  it("a stage that came whole from the cache stays the learner's who built it first (second review)", async () => {
    const shared = `printf '%s\\n' 'FROM stagecraft/runtime AS s1' 'RUN echo first-${Date.now()} > /s' 'FROM stagecraft/runtime' 'COPY --from=s1 /s /s' > Dockerfile`;
    const output = await run(alice, `mkdir -p ~/f && cd ~/f && ${shared} && docker build . 2>&1`, 120_000);
    const stage = /---> ([0-9a-f]{12})\s+Step 3\/\d+ : FROM/.exec(output)?.[1];
    expect(stage, output).toBeDefined();
    await run(bob, `mkdir -p ~/f && cd ~/f && ${shared} && docker build -q .`, 120_000);
    expect(await run(bob, `docker image rm ${stage} 2>&1`)).toMatch(/No such image/);
    expect(await run(alice, `docker image inspect ${stage} --format ok 2>&1`)).toBe('ok\n');
  });

  it('an image the running build starts from cannot be removed until it ends', async () => {
    await run(bob, `mkdir -p ~/r && cd ~/r && printf "FROM stagecraft/runtime\\nRUN echo base-$RANDOM > /b\\n" > Dockerfile && docker build -q -t mine .`, 120_000);
    await run(bob, `printf "FROM stagecraft/runtime\\nRUN echo other-$RANDOM > /o\\n" > Dockerfile.other && docker build -q -f Dockerfile.other -t other .`, 120_000);
    const building = build(bobId, await contextWith(`FROM stagecraft/runtime\nRUN sleep 4 && echo ${Date.now()}\nFROM mine\nRUN cat /b\n`));
    await waitFor(async () => (await docker.listContainers()).some((c) => c.Command.includes('sleep 4')), 'the build is running');
    expect(await run(bob, 'docker image rm mine 2>&1')).toMatch(/in use by your running build/);
    // Second review: move the name to another image, then remove that. The build starts FROM the
    // image that was judged, by its id, so nothing is pulled and the name does not matter.
    expect(await run(bob, 'docker tag other mine && docker image rm mine 2>&1')).toMatch(/Untagged/);
    const answer = await building;
    expect(answer.text).toMatch(/base-\d+/);
    expect(answer.text).not.toMatch(/registry|pull/i);
  });
});

describe('an earlier stage in a small quota', () => {
  it("counts: a 20 MB stage left by a build is charged, so the next build's 20 MB passes a 30 MB quota", async () => {
    const small = await startTestServer({ STAGECRAFT_IMAGE_QUOTA_MB: '30' });
    const learner = await openTerminal(small.url);
    // A build now stops once its own layers pass the quota, so the stage fills it over two builds:
    // the second is stopped only if the first one's stage (no name, only a record) is charged.
    const dockerfile = (blob: string) => `printf '%s\\n' 'FROM stagecraft/runtime AS fat' "RUN head -c 20000000 /dev/urandom > /${blob} && echo $RANDOM > /small" 'FROM stagecraft/runtime' 'COPY --from=fat /small /small' > Dockerfile`;
    try {
      const built = await run(learner, `mkdir -p ~/big && cd ~/big && ${dockerfile('blob')} && docker build -q -t thin . 2>&1`, 120_000);
      expect(built, built).toMatch(/sha256:[0-9a-f]{64}/);
      const again = await run(learner, `${dockerfile('blob2')} && docker build -q -t thin2 . 2>&1`, 120_000);
      expect(again).toMatch(/this build's layers took your images and containers to 4\d MB, past the most this lab allows, 31 MB/);
    } finally {
      await learner.close();
      await small.cleanup();
    }
  }, 180_000);
});

function symlink(name: string, target: string): Buffer {
  const header = rawEntry(name, '2', '');
  header.write(target, 157, 100, 'utf8');
  return fixChecksum(header);
}

function hardLink(name: string, target: string): Buffer {
  const header = rawEntry(name, '1', '');
  header.write(target, 157, 100, 'utf8');
  return fixChecksum(header);
}

function fixChecksum(header: Buffer): Buffer {
  header.write('        ', 148, 'latin1');
  const checksum = header.subarray(0, 512).reduce((sum, b) => sum + b, 0);
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return header;
}
