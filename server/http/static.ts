// Serves the built site (Astro's dist/) with `send`, Express's static file server: conditional GETs
// (ETag, 304), ranges, HEAD, and stream errors answered instead of thrown. The build wrote a brotli
// and a gzip copy beside each text file; the copy the browser accepts goes out as it is.
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import send from 'send';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8', '.xml': 'application/xml',
};

/** The precompressed copies, best first, with the Accept-Encoding token each needs. */
const ENCODINGS = [{ token: 'br', suffix: '.br' }, { token: 'gzip', suffix: '.gz' }] as const;

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
  // The compressed copies are only ever sent in place of their file, never asked for by name.
  if (ENCODINGS.some((e) => file.endsWith(e.suffix)) && fs.existsSync(file.slice(0, -3))) return { kind: 'missing' };
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    // Astro builds /lessons/x/index.html; send /lessons/x to /lessons/x/ so relative links work.
    if (!normalised.endsWith('/')) return { kind: 'redirect', location: `${normalised}/` };
    const index = path.join(file, 'index.html');
    return fs.existsSync(index) ? { kind: 'file', file: index } : { kind: 'missing' };
  }
  return stat?.isFile() ? { kind: 'file', file } : { kind: 'missing' };
}

/** Whether the request's Accept-Encoding allows `token` (a q=0 refuses it). */
function accepts(header: string, token: string): boolean {
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    return name!.trim().toLowerCase() === token && (q === undefined || Number(q) > 0);
  });
}

export function sendStatic(root: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://site');
  const resolved = resolveStatic(root, url.pathname);
  if (resolved.kind === 'bad-request') return sendText(res, 400, 'Bad request');
  if (resolved.kind === 'redirect') {
    res.writeHead(301, { Location: resolved.location + url.search });
    return void res.end();
  }
  const file = resolved.kind === 'file' ? resolved.file : path.join(root, '404.html');
  if (!fs.existsSync(file)) return sendText(res, 404, 'Not found');
  if (resolved.kind !== 'file') res.statusCode = 404;
  sendFile(root, file, req, res, url.pathname.startsWith('/_astro/'));
}

/** Sends a file of the site found a moment ago; it may be gone by now (a rebuild), which answers 404. */
export function sendFile(root: string, file: string, req: http.IncomingMessage, res: http.ServerResponse, immutable: boolean): void {
  const variants = ENCODINGS.filter((e) => fs.existsSync(file + e.suffix));
  const chosen = variants.find((e) => accepts(String(req.headers['accept-encoding'] ?? ''), e.token));
  const sent = path.relative(root, file + (chosen?.suffix ?? '')).split(path.sep).map(encodeURIComponent).join('/');
  send(req, `/${sent}`, { root, dotfiles: 'allow', index: false, cacheControl: false, etag: true, lastModified: true })
    .on('headers', (response: http.ServerResponse) => {
      response.setHeader('Content-Type', TYPES[path.extname(file)] ?? 'application/octet-stream');
      response.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (variants.length > 0) response.setHeader('Vary', 'Accept-Encoding');
      if (chosen) response.setHeader('Content-Encoding', chosen.token);
    })
    .on('error', (error: { status?: number }) => {
      // Headers gone: the body was cut (a file replaced mid-read); end the connection, not the server.
      if (res.headersSent) return void res.destroy();
      sendText(res, error.status === 404 ? 404 : 500, error.status === 404 ? 'Not found' : 'Internal error');
    })
    .pipe(res);
}

export function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
