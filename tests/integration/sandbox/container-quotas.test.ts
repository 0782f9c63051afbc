// The container side of the quotas: volumes an image declares, the image-plus-writes quota at
// container create and start, and the size of what learners create and the gateway must hold.
// Quotas are set small so the test is quick.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, type TerminalClient } from '../../support/terminal-client.ts';
import { recordRefusals, type RefusalLog } from '../../support/refusals.ts';
import { run } from '../../support/shell.ts';

let server: TestServer;
let terminal: TerminalClient;
let refusals: RefusalLog;

beforeAll(async () => {
  refusals = recordRefusals();
  server = await startTestServer({ STAGECRAFT_IMAGE_QUOTA_MB: '20', STAGECRAFT_DISK_QUOTA_MB: '30' });
  terminal = await openTerminal(server.url);
});

afterAll(async () => {
  refusals.stop();
  await terminal?.close();
  await server?.cleanup();
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
