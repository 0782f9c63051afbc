// Attacks from the security review of the gateway and the server, each as it was reproduced then:
// none may crash the server, fetch from the host's network, or get past a quota by racing it.
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie, TerminalClient } from '../../support/terminal-client.ts';
import { recordRefusals, type RefusalLog } from '../../support/refusals.ts';
import { run } from '../../support/shell.ts';
import { LIMITS } from '../../../server/sandbox/index.ts';

let server: TestServer;
let terminal: TerminalClient;
let learner: string;
let refusals: RefusalLog;
const alive = async () => (await fetch(`${server.url}/api/health`)).status;
const UPGRADE_FROM_ELSEWHERE = 'GET /ws/terminal HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n\r\n';

/** A socket's end (events.once would reject on the error a reset emits first). */
const closeOf = (socket: net.Socket) => new Promise((closed) => socket.once('close', closed));

/** The status line the server answers a terminal upgrade from a foreign Origin with. */
async function refusedUpgrade(port: number): Promise<string> {
  const socket = net.connect(port, '127.0.0.1', () => socket.write(UPGRADE_FROM_ELSEWHERE));
  const [chunk] = await once(socket, 'data') as [Buffer];
  socket.destroy();
  return chunk.toString('latin1').split('\r\n')[0]!;
}

beforeAll(async () => {
  refusals = recordRefusals();
  server = await startTestServer();
  terminal = await openTerminal(server.url);
  [learner] = server.learners();
});

afterAll(async () => {
  refusals.stop();
  await terminal?.close();
  await server?.cleanup();
});

describe('the server survives', () => {
  it('upgrades refused with a wrong Origin whose connection is reset at once', async () => {
    const { port } = new URL(server.url);
    const resets: Promise<unknown>[] = [];
    for (let i = 0; i < 150; i++) {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(UPGRADE_FROM_ELSEWHERE);
        socket.resetAndDestroy();
      });
      socket.on('error', () => undefined); // our own reset
      resets.push(closeOf(socket));
    }
    await Promise.all(resets);
    // A later upgrade, not reset, is still answered with the refusal: the server took the resets in its stride.
    expect(await refusedUpgrade(Number(port))).toBe('HTTP/1.1 403 Forbidden');
    expect(await alive()).toBe(200);
  });

  it('a learner process that opens an attach upgrade on its gateway and hangs up at once', async () => {
    const gateway = path.join(server.dataDir, 'gateways', learner!, 'docker.sock');
    const hangUps: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      const socket = net.connect(gateway, () => {
        socket.write('POST /v1.41/containers/nope/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
        socket.destroy();
      });
      socket.on('error', () => undefined); // our own hang-up
      hangUps.push(closeOf(socket));
    }
    await Promise.all(hangUps);
    expect(await alive()).toBe(200);
    expect(await run(terminal, 'docker ps -q | wc -l')).toBe('0\n');
  });

  it('a terminal frame whose close reason would pass 123 bytes', async () => {
    const other = new TerminalClient(server.url, { cookie: await sessionCookie(server.url) });
    await other.opened();
    other.socket.send(JSON.stringify({ type: 'ping', ['é'.repeat(100)]: 1 }));
    expect(await other.closed()).toBe(1008);
    expect(await alive()).toBe(200);
  });

  it('a learner holding many idle connections to the gateway is capped, and others are unaffected', async () => {
    const gateway = path.join(server.dataDir, 'gateways', learner!, 'docker.sock');
    const sockets = Array.from({ length: 200 }, () => net.connect(gateway).on('error', () => undefined));
    // Every one connected (or already turned away by the cap) before the neighbour comes.
    await Promise.all(sockets.map((socket) => new Promise((settled) => socket.once('connect', settled).once('close', settled))));
    const neighbour = await openTerminal(server.url);
    expect(await run(neighbour, 'docker ps -q | wc -l')).toBe('0\n');
    for (const socket of sockets) socket.destroy();
    await neighbour.close();
  });
});

describe('builds', () => {
  it('refuse ADD from a URL: the engine would fetch it from the host network', async () => {
    await run(terminal, `mkdir -p ~/ssrf && cd ~/ssrf && printf 'FROM stagecraft/runtime\\nADD http://127.0.0.1:${new URL(server.url).port}/api/health /x\\n' > Dockerfile`);
    refusals.clear();
    expect(await run(terminal, 'docker build -t ssrf .; cd ~')).toContain('ADD from a URL is not available in this lab');
    expect(refusals.codes).toContain('dockerfile_forbidden');
  });

  it('refuse a continuation hidden behind a no-break space', async () => {
    await run(terminal, "mkdir -p ~/nbsp && cd ~/nbsp && printf 'FROM stagecraft/runtime\\nRUN true \\\\\\302\\240\\nFROM stagecraft/toolchain\\n' > Dockerfile");
    expect(await run(terminal, 'docker build -t nbsp .; cd ~')).toContain('has a character Dockerfiles in this lab may not use');
  });

  it(`run one at a time even when ${6} are sent at once`, async () => {
    await run(terminal, "mkdir -p ~/race && cd ~/race && printf 'FROM stagecraft/runtime\\nRUN sleep 3\\n' > Dockerfile");
    const output = await run(terminal, 'for i in 1 2 3 4 5 6; do docker build -q --no-cache . > /dev/null 2> err$i & done; wait; echo "refused=$(grep -l "still running" err* | wc -l)"; cd ~', 60_000);
    expect(Number(/refused=(\d+)/.exec(output)?.[1])).toBeGreaterThanOrEqual(5);
  });
});

describe('quotas under a race', () => {
  it(`hold at ${LIMITS.maxContainers} containers when 40 creates are sent at once`, async () => {
    await run(terminal, 'for i in $(seq 40); do docker create stagecraft/runtime true > /dev/null 2>&1 & done; wait', 120_000);
    expect(Number((await run(terminal, 'docker ps -aq | wc -l')).trim())).toBe(LIMITS.maxContainers);
    await run(terminal, 'docker container prune -f > /dev/null');
  });

  it('caps each container\'s log on the host disk', async () => {
    const id = (await run(terminal, 'docker create stagecraft/runtime true')).trim();
    const inspect = await new Docker().getContainer(id).inspect();
    expect(inspect.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } });
    await run(terminal, `docker rm ${id} > /dev/null`);
  });

  it('refuse a health check every millisecond', async () => {
    expect(await run(terminal, 'docker create --health-cmd true --health-interval 1ms stagecraft/runtime true')).toContain('--health-interval must be at least 1s');
  });
});
