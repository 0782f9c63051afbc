// Instructor sign-in on the real server, from several loopback addresses (Linux routes all of
// 127.0.0.0/8 to loopback, so each address is a different client to the server): wrong passwords
// from anywhere slow their own address down and never lock the instructor out.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
});

afterAll(async () => {
  await server?.cleanup();
});

/** Signs in from `localAddress`; the status and the Retry-After header. */
function signIn(localAddress: string, name: string, password: string): Promise<{ status: number; retryAfter: string | undefined }> {
  const body = JSON.stringify({ name, password });
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}/api/instructor/login`, {
      method: 'POST', localAddress, headers: { Origin: server.url, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('instructor sign-in limits', () => {
  it('wrong passwords for the instructor from rotating addresses do not lock the instructor out', async () => {
    const statuses: number[] = [];
    for (let i = 2; i < 14; i++) statuses.push((await signIn(`127.0.0.${i}`, 'ada', `guess ${i}`)).status);
    expect(statuses).toEqual(Array(12).fill(401));
    expect((await signIn('127.0.0.1', 'ada', 'correct horse battery')).status).toBe(200);
  });

  it('an account under attack still lets a clean address in, and slows each failing address to one try a minute', async () => {
    for (let i = 20; i < 50; i++) expect((await signIn(`127.0.1.${i}`, 'ada', `guess ${i}`)).status).toBe(401);
    const again = await signIn('127.0.1.20', 'ada', 'correct horse battery');
    expect(again.status).toBe(429);
    expect(Number(again.retryAfter)).toBeGreaterThan(0);
    expect(Number(again.retryAfter)).toBeLessThanOrEqual(60);
    expect((await signIn('127.0.2.1', 'ada', 'correct horse battery')).status).toBe(200);
  });

  it('one address guessing is slowed down (429 with Retry-After of at most a minute), other addresses are not', async () => {
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await signIn('127.0.3.1', 'nobody', `guess ${i}`));
    expect(results.map((r) => r.status)).toContain(429);
    for (const r of results.filter((r) => r.status === 429)) expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
    expect((await signIn('127.0.3.2', 'nobody', 'x')).status).toBe(401);
  });

  it('a name too long to be anyone is refused before it is counted', async () => {
    expect((await signIn('127.0.4.1', 'a'.repeat(201), 'x')).status).toBe(400);
  });
});
