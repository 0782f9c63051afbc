import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStatic, sendFile, sendStatic } from './static.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'site-'));
fs.mkdirSync(path.join(root, 'lessons/one'), { recursive: true });
fs.writeFileSync(path.join(root, 'index.html'), 'home');
fs.writeFileSync(path.join(root, 'lessons/one/index.html'), 'one');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('resolveStatic', () => {
  it('maps folders to their index.html', () => {
    expect(resolveStatic(root, '/')).toEqual({ kind: 'file', file: path.join(root, 'index.html') });
    expect(resolveStatic(root, '/lessons/one/')).toEqual({ kind: 'file', file: path.join(root, 'lessons/one/index.html') });
  });

  it('redirects a folder without its final slash', () => {
    expect(resolveStatic(root, '/lessons/one')).toEqual({ kind: 'redirect', location: '/lessons/one/' });
  });

  it.each(['/../etc/passwd', '/%2e%2e/etc/passwd', '/lessons/%2e%2e/%2e%2e/x', '/a%00b', '/%E0%A4%A'])('never leaves the root: %s', (url) => {
    const resolved = resolveStatic(root, url);
    if (resolved.kind === 'file') expect(resolved.file.startsWith(root + path.sep)).toBe(true);
    expect(['bad-request', 'missing']).toContain(resolved.kind);
  });
});

describe('sendStatic', () => {
  const site = fs.mkdtempSync(path.join(os.tmpdir(), 'served-'));
  const script = 'console.log("hello from the site");\n'.repeat(50);
  fs.mkdirSync(path.join(site, '_astro'));
  fs.writeFileSync(path.join(site, '_astro/app.js'), script);
  fs.writeFileSync(path.join(site, '_astro/app.js.br'), brotliCompressSync(script));
  fs.writeFileSync(path.join(site, '_astro/app.js.gz'), gzipSync(script));
  fs.writeFileSync(path.join(site, 'index.html'), '<h1>home</h1>');
  fs.writeFileSync(path.join(site, '404.html'), '<h1>not here</h1>');
  let base = '';
  const server = http.createServer((req, res) => {
    // A file found, then removed by a rebuild before it is read.
    if (req.url === '/rebuilt.js') return sendFile(site, path.join(site, '_astro/gone.js'), req, res, true);
    sendStatic(site, req, res);
  });
  beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => {
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resolve();
  })));
  afterAll(() => {
    server.close();
    fs.rmSync(site, { recursive: true, force: true });
  });
  /** A raw GET (fetch would decode the body and hide Content-Encoding's effect on the length). */
  const get = (pathname: string, headers: Record<string, string> = {}) => new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http.get(`${base}${pathname}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });

  it('sends the brotli copy to a browser that takes it, gzip to one that takes only gzip, the file to others', async () => {
    const br = await get('/_astro/app.js', { 'Accept-Encoding': 'gzip, deflate, br, zstd' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    expect(br.body.length).toBeLessThan(script.length / 10);
    const gz = await get('/_astro/app.js', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);
    const plain = await get('/_astro/app.js', { 'Accept-Encoding': 'br;q=0, identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    for (const answer of [br, gz, plain]) {
      expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(answer.headers.vary).toBe('Accept-Encoding');
      expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  });

  it('answers 304 to a request that already holds the same copy, by its ETag', async () => {
    const first = await get('/', { 'Accept-Encoding': 'br' });
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-cache');
    const again = await get('/', { 'Accept-Encoding': 'br', 'If-None-Match': first.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const gz = await get('/_astro/app.js', { 'Accept-Encoding': 'gzip' });
    const br = await get('/_astro/app.js', { 'Accept-Encoding': 'br' });
    expect(gz.headers.etag).not.toBe(br.headers.etag); // each copy has its own tag
  });

  it('never sends a compressed copy by its own name, and answers a missing page with the 404 page', async () => {
    expect((await get('/_astro/app.js.br')).status).toBe(404);
    const missing = await get('/nowhere/');
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).toBe('<h1>not here</h1>');
  });

  it('answers a file removed by a rebuild after it was found with 404, and goes on serving', async () => {
    const gone = await get('/rebuilt.js', { 'Accept-Encoding': 'br' });
    expect([gone.status, gone.body.toString()]).toEqual([404, 'Not found']);
    expect((await get('/_astro/app.js')).status).toBe(200);
  });
});
