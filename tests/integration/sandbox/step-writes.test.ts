// What each build step wrote in the system's folders, against the real engine: recorded by the
// gateway as the build ends (each step's container read, then removed), and read again from the
// image's layers for a step the gateway did not see run. Grading refuses a compile after any.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, type TerminalClient } from '../../support/terminal-client.ts';
import { waitFor } from '../../support/engine.ts';
import { layerWrites } from '../../../server/sandbox/layer-writes.ts';

const docker = new Docker();
let server: TestServer;
let terminal: TerminalClient;
let learner: string;

beforeAll(async () => {
  server = await startTestServer();
  terminal = await openTerminal(server.url);
  learner = server.learners()[0]!;
}, 120_000);

afterAll(async () => {
  await terminal?.close();
  await server?.cleanup();
});

/** A build on the learner's gateway socket, as their CLI sends it. */
function build(context: Buffer, query: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath: path.join(server.dataDir, 'gateways', learner, 'docker.sock'), method: 'POST', path: `/v1.41/build?rm=1&forcerm=1&${query}`,
      headers: { 'Content-Type': 'application/x-tar', 'Content-Length': String(context.length) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', reject);
    req.end(context);
  });
}

async function contextOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, data] of Object.entries(files)) pack.entry({ name, mode: 0o755 }, data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The learner's step containers still in the engine (the cgroup parent the gateway gives their builds). */
async function stepContainers(): Promise<string[]> {
  const left: string[] = [];
  for (const info of await docker.listContainers({ all: true })) {
    const inspect = await docker.getContainer(info.Id).inspect().catch(() => undefined);
    if (inspect?.HostConfig.CgroupParent === `/stagecraft-builds/${learner}`) left.push(info.Id);
  }
  return left;
}

function recorded(imageId: string): string[] | undefined {
  const db = new DatabaseSync(path.join(server.dataDir, 'stagecraft.db'), { readOnly: true });
  try {
    const row = db.prepare('SELECT writes FROM step_writes WHERE image_id = ?').get(imageId) as { writes: string } | undefined;
    return row && (JSON.parse(row.writes) as string[]);
  } finally {
    db.close();
  }
}

const DOCKERFILE = [
  'FROM stagecraft/toolchain',
  'WORKDIR /src',
  'COPY a.c .',
  'RUN ln -s /usr/local/bin /src/tools',
  'COPY x /src/tools/gcc',
  'RUN echo hi > /src/o && touch /usr/local/bin/cc1',
  'CMD ["/src/o"]',
].join('\n');

describe('what build steps wrote', () => {
  let steps: { id: string; createdBy: string }[];

  beforeAll(async () => {
    const output = await build(await contextOf({ Dockerfile: DOCKERFILE, 'a.c': 'int main(void) { return 0; }\n', x: '#!/bin/sh\n' }), 'nocache=1&t=writes');
    expect(output).toContain('Successfully built');
    const image = await docker.getImage(`sc-${learner}/writes`).inspect();
    steps = ((await docker.getImage(image.Id).history()) as { Id: string; CreatedBy: string }[]).map((s) => ({ id: s.Id, createdBy: s.CreatedBy }));
  }, 180_000);

  const step = (text: string) => {
    const found = steps.find((s) => s.createdBy.includes(text));
    expect(found, text).toBeDefined();
    return found!.id;
  };

  it('are recorded by the image each step made, as the build ends', () => {
    expect(recorded(step('touch /usr/local/bin/cc1'))).toEqual(['/usr/local/bin/cc1']);
    // The copy went through the link an earlier step left in the learner's own folder.
    expect(recorded(step('in /src/tools/gcc'))).toEqual(['/src/tools (a link to /usr/local/bin)']);
    expect(recorded(step('ln -s'))).toEqual([]);
    expect(recorded(step('in . '))).toEqual([]);
    expect(recorded(step('WORKDIR /src'))).toEqual([]);
  });

  it('leave no step container behind, of a build that failed either', async () => {
    // Removed just after the learner hears the build has ended.
    await waitFor(async () => (await stepContainers()).length === 0, 'the step containers to be removed', 30_000);
    const output = await build(await contextOf({ Dockerfile: 'FROM stagecraft/toolchain\nRUN touch /tmp/x\nRUN touch /usr/x && false\n' }), 'nocache=1');
    expect(output).toMatch(/returned a non-zero code/);
    await waitFor(async () => (await stepContainers()).length === 0, 'the failed build\'s step containers to be removed', 30_000);
  }, 120_000);

  it('read from the image\'s layers say the same, the copy by the path it really wrote', async () => {
    const toolchain = (await docker.getImage('stagecraft/toolchain').inspect()).Id;
    const read = await layerWrites(docker, steps[0]!.id, async (id) => id === toolchain);
    const of = (id: string) => read?.find((s) => s.id === id)?.writes;
    expect(of(step('touch /usr/local/bin/cc1'))).toEqual(['/usr/local/bin/cc1']);
    expect(of(step('in /src/tools/gcc'))).toEqual(['/usr/local/bin/gcc']);
    for (const text of ['ln -s', 'in . ', 'WORKDIR /src', 'CMD']) expect(of(step(text)), text).toEqual([]);
  }, 120_000);

  it('left by a server that stopped mid-build are removed when the next one starts', async () => {
    // A build the way the gateway runs one, that no gateway read: its step containers stay.
    const dir = fs.mkdtempSync(path.join(server.dataDir, 'left-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM stagecraft/toolchain\nRUN touch /tmp/left\n');
    const pack = tar.pack(); pack.entry({ name: 'Dockerfile' }, fs.readFileSync(path.join(dir, 'Dockerfile'))); pack.finalize();
    const stream = await docker.buildImage(pack as unknown as NodeJS.ReadableStream, { rm: false, forcerm: false, nocache: true, cgroupparent: `/stagecraft-builds/${learner}`, networkmode: 'none', version: '1' } as Docker.ImageBuildOptions);
    await new Promise((resolve, reject) => docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve(undefined))));
    expect((await stepContainers()).length).toBeGreaterThan(0);
    await server.close();
    server = { ...server, ...(await startTestServer({ STAGECRAFT_DATA: server.dataDir })) };
    await waitFor(async () => (await stepContainers()).length === 0, 'the left step containers to be removed');
  }, 180_000);
});
