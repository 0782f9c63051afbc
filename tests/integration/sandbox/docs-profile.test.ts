// The docs profile: the documents' Alpine base images can be pulled (from a loopback registry
// standing in for Docker Hub) and built FROM; nothing else can be pulled, and they are read-only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, type TerminalClient } from '../../support/terminal-client.ts';
import { recordRefusals, type RefusalLog } from '../../support/refusals.ts';
import { run } from '../../support/shell.ts';
import { startDocsEngine, type DocsEngine } from '../../support/docs-registry.ts';

let engine: DocsEngine;
let server: TestServer;
let terminal: TerminalClient;
let refusals: RefusalLog;

beforeAll(async () => {
  refusals = recordRefusals();
  engine = await startDocsEngine(['stagecraft/workspace:latest']);
  server = await startTestServer({ STAGECRAFT_PROFILE: 'docs', STAGECRAFT_ENGINES: `unix://${engine.socket}` });
  terminal = await openTerminal(server.url);
}, 240_000);

afterAll(async () => {
  refusals.stop();
  await terminal?.close();
  await server?.cleanup();
  await engine?.stop();
});

describe('docs profile', () => {
  it('pulls an allow-listed base image', async () => {
    const output = await run(terminal, 'docker pull alpine:3.7', 60_000);
    expect(output).toContain('Downloaded newer image for alpine:3.7');
    expect(await run(terminal, "docker image ls --format '{{.Repository}}:{{.Tag}}' alpine:3.7")).toBe('alpine:3.7\n');
  });

  it.each(['busybox', 'alpine:edge', 'library/ubuntu:22.04', 'ghcr.io/someone/tool:1'])('refuses to pull %s', async (image) => {
    refusals.clear();
    expect(await run(terminal, `docker pull ${image}`)).toMatch(/only the course's base images \(alpine:3\.7, alpine:latest\) can be pulled|invalid reference/);
    expect(refusals.codes.some((code) => code === 'pull_unavailable' || code === 'invalid_reference')).toBe(true);
  });

  it('builds FROM a base image not pulled yet, which the engine may pull, and runs it', async () => {
    await run(terminal, `mkdir -p ~/d && cd ~/d && printf 'FROM alpine:latest\\nCMD ["echo","from the docs profile"]\\n' > Dockerfile`);
    expect(await run(terminal, 'docker build -q -t docs-hello .', 60_000)).toMatch(/^sha256:/);
    expect(await run(terminal, 'docker run --rm docs-hello')).toBe('from the docs profile\n');
  });

  it('refuses FROM an image that is not a base image and not the learner\'s', async () => {
    await run(terminal, "mkdir -p ~/nope && cd ~/nope && printf 'FROM busybox\\n' > Dockerfile");
    expect(await run(terminal, 'docker build -t nope .; cd ~')).toContain('does not exist in your lab');
  });

  it('keeps the base images read-only', async () => {
    // An image of the learner's own that needs no pull (the other tests pull the base images first).
    await run(terminal, "mkdir -p ~/ro && cd ~/ro && printf 'FROM scratch\\nCOPY Dockerfile /\\n' > Dockerfile && docker build -q -t mine . && cd ~", 60_000);
    refusals.clear();
    expect(await run(terminal, 'docker tag mine alpine:3.7')).toContain("course's base images");
    expect(await run(terminal, 'docker image rm alpine:3.7')).toContain("course's base images");
    expect(refusals.codes).toEqual(['base_image_read_only', 'base_image_read_only']);
  });
});
