// Requests no browser sends: found by the second security review, each once ended the server.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server?.cleanup(); });

/** Sends raw bytes and returns the status line the server answered, if any. */
function raw(bytes: string): Promise<string> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => { answer += chunk; if (answer.includes('\r\n')) socket.destroy(); });
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', () => resolve(answer.split('\r\n')[0] ?? ''));
  });
}

describe('a request target the URL parser refuses', () => {
  it.each(['//', '//x:99999', '//['])('%s in an upgrade: refused, and the server lives on', async (target) => {
    const answer = await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: ${server.url}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it.each(['//', '//x:99999'])('%s in a plain request: answered 400', async (target) => {
    expect(await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});
