// What a page costs on the wire, as the server sends it: the page and every script and stylesheet it
// loads (following static and dynamic imports), fetched over loopback from the server's own static
// handler with a browser's Accept-Encoding, so each is the precompressed copy the browser receives.
// Split into what loads at once and what loads later (the terminal island, when the panel is
// visible); the baseline is the same files uncompressed.
//   node bench/site-size.ts   (after `npx astro build`)
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sendStatic } from '../server/http/static.ts';

const DIST = path.resolve(import.meta.dirname, '../dist');
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd'; // what Chromium sends

/** Every module a script reaches: `eager` through static imports, `lazy` through import(). */
function walk(url: string, eager: Set<string>, lazy: Set<string>, isLazy: boolean): void {
  const into = isLazy ? lazy : eager;
  if (into.has(url) || (isLazy && eager.has(url))) return;
  into.add(url);
  if (!url.endsWith('.js')) return;
  const text = fs.readFileSync(path.join(DIST, url), 'utf8');
  const near = (relative: string) => path.posix.join(path.posix.dirname(url), relative);
  for (const m of text.matchAll(/(?:from\s*|import\s*)["'](\.\/[^"']+\.js)["']/g)) walk(near(m[1]!), eager, lazy, isLazy);
  for (const m of text.matchAll(/import\(\s*["'`](\.\/[^"'`]+\.js)["'`]\s*\)/g)) walk(near(m[1]!), eager, lazy, true);
  // Stylesheets a module loads itself (xterm's), by URL.
  for (const m of text.matchAll(/["'`](\/_astro\/[^"'`]+\.css)["'`]/g)) lazy.add(m[1]!);
}

const server = http.createServer((req, res) => sendStatic(DIST, req, res));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** Body bytes received for `url` with the browser's Accept-Encoding (undecoded). */
const onTheWire = (url: string) => new Promise<number>((resolve, reject) => {
  http.get(`${base}${url}`, { headers: { 'Accept-Encoding': BROWSER_ENCODINGS } }, (res) => {
    let bytes = 0;
    res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
    res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: ${res.statusCode}`))));
  }).on('error', reject);
});
const plain = (url: string) => fs.statSync(path.join(DIST, url)).size;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

console.log('| page | HTML | JS + CSS at load | loaded later | all, uncompressed (baseline) |\n|---|---|---|---|---|');
for (const page of ['/', '/lessons/single-stage/', '/instructor/', '/join/']) {
  const html = fs.readFileSync(path.join(DIST, page, 'index.html'), 'utf8');
  const eager = new Set<string>();
  const lazy = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+src="(\/_astro\/[^"]+)"/g)) walk(m[1]!, eager, lazy, false);
  for (const m of html.matchAll(/<link[^>]+href="(\/_astro\/[^"]+\.css)"/g)) eager.add(m[1]!);
  const later = [...lazy].filter((u) => !eager.has(u));
  const sum = async (urls: string[]) => (await Promise.all(urls.map(onTheWire))).reduce((a, b) => a + b, 0);
  const all = [...eager, ...later];
  const baseline = all.reduce((total, u) => total + plain(u), 0) + Buffer.byteLength(html);
  console.log(`| ${page} | ${kb(await onTheWire(page))} | ${kb(await sum([...eager]))} | ${kb(await sum(later))} | ${kb(baseline)} |`);
}
server.close();
