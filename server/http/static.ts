// Serves the built site (Astro's dist/) safely: no path leaves the folder, assets are cached forever.
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8', '.xml': 'application/xml',
};

export type Resolved =
  | { kind: 'file'; file: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'missing' }
  | { kind: 'bad-request' };

/** Maps a URL path to a file inside `root`; never outside it. */
export function resolveStatic(root: string, urlPath: string): Resolved {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'bad-request' };
  }
  if (decoded.includes('\0') || !decoded.startsWith('/')) return { kind: 'bad-request' };
  const normalised = path.posix.normalize(decoded);
  const file = path.join(root, normalised);
  if (file !== root && !file.startsWith(root + path.sep)) return { kind: 'bad-request' };
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    // Astro builds /lessons/x/index.html; send /lessons/x to /lessons/x/ so relative links work.
    if (!normalised.endsWith('/')) return { kind: 'redirect', location: `${normalised}/` };
    const index = path.join(file, 'index.html');
    return fs.existsSync(index) ? { kind: 'file', file: index } : { kind: 'missing' };
  }
  return stat?.isFile() ? { kind: 'file', file } : { kind: 'missing' };
}

export function sendStatic(root: string, req: http.IncomingMessage, res: http.ServerResponse, extraHeaders: Record<string, string>): void {
  const url = new URL(req.url ?? '/', 'http://site');
  const resolved = resolveStatic(root, url.pathname);
  if (resolved.kind === 'bad-request') return sendText(res, 400, 'Bad request');
  if (resolved.kind === 'redirect') {
    res.writeHead(301, { Location: resolved.location + url.search, ...extraHeaders });
    return void res.end();
  }
  const file = resolved.kind === 'file' ? resolved.file : path.join(root, '404.html');
  const status = resolved.kind === 'file' ? 200 : 404;
  if (!fs.existsSync(file)) return sendText(res, 404, 'Not found');
  const immutable = url.pathname.startsWith('/_astro/');
  res.writeHead(status, {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': fs.statSync(file).size,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...extraHeaders,
  });
  if (req.method === 'HEAD') return void res.end();
  fs.createReadStream(file).pipe(res);
}

export function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
