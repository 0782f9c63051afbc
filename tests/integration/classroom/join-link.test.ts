// The join link and its QR code name the address the server is configured with (the first of
// STAGECRAFT_ORIGINS), whatever Host the instructor's browser sent; only the class's instructor gets them.
import http from 'node:http';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';

let server: TestServer;
let teacher: string;

/** A request with a Host header of our choosing (fetch would send the URL's). */
function request(method: string, path: string, host: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; type: string; text: string }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, {
      method, headers: { ...headers, Host: host, Origin: server.url, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

beforeAll(async () => {
  // A trailing slash, as operators write it: the link must not get a double one.
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery', STAGECRAFT_ORIGINS: 'http://lab.example:8080/,http://192.0.2.10:4321' });
  const login = await fetch(`${server.url}/api/instructor/login`, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'ada', password: 'correct horse battery' }) });
  expect(login.status).toBe(200);
  teacher = login.headers.get('set-cookie')!.split(';')[0]!;
});

afterAll(async () => {
  await server?.cleanup();
});

describe('join link', () => {
  it('uses the configured address, not the Host the instructor browsed by', async () => {
    const created = await request('POST', '/api/classes', 'localhost:1', { Cookie: teacher }, { title: 'Lab A' });
    expect(created.status).toBe(201);
    const { id, code, joinUrl } = JSON.parse(created.text) as { id: number; code: string; joinUrl: string };
    expect(joinUrl).toBe(`http://lab.example:8080/join/?code=${code}`);
    const listed = JSON.parse((await request('GET', '/api/classes', 'evil.example', { Cookie: teacher })).text) as { joinUrl: string }[];
    expect(listed.map((c) => c.joinUrl)).toEqual([joinUrl]);
    const book = JSON.parse((await request('GET', `/api/classes/${id}/gradebook`, 'evil.example', { Cookie: teacher })).text) as { class: { joinUrl: string } };
    expect(book.class.joinUrl).toBe(joinUrl);
  });

  it('has a QR code, drawn by the server as SVG, of that same link', async () => {
    const { id, joinUrl } = ((await (await fetch(`${server.url}/api/classes`, { headers: { Cookie: teacher } })).json()) as { id: number; joinUrl: string }[])[0]!;
    const qr = await request('GET', `/api/classes/${id}/join-qr.svg`, 'evil.example', { Cookie: teacher });
    expect(qr.status).toBe(200);
    expect(qr.type).toBe('image/svg+xml');
    expect(qr.text).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(qr.text).toBe(await QRCode.toString(joinUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }));
    expect(qr.text).not.toBe(await QRCode.toString(joinUrl.replace('lab.example:8080', 'evil.example'), { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }));
  });

  it('the QR code is the class instructor\'s only', async () => {
    const { id } = ((await (await fetch(`${server.url}/api/classes`, { headers: { Cookie: teacher } })).json()) as { id: number }[])[0]!;
    expect((await fetch(`${server.url}/api/classes/${id}/join-qr.svg`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/classes/${id + 1}/join-qr.svg`, { headers: { Cookie: teacher } })).status).toBe(404);
  });
});
