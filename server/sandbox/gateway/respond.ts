// Answers to the learner's CLI: our own JSON, refusals in the engine's error shape, and engine answers
// relayed with the learner's names put back.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { readAll } from './engine.ts';
import { API_VERSION, type Refusal } from './police.ts';

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'API-Version': API_VERSION });
  res.end(body);
}

/** A refusal as the engine words errors, so the CLI prints `Error response from daemon: …`. */
export function sendRefusal(req: http.IncomingMessage, res: http.ServerResponse, refusal: Refusal): void {
  // Drain what the client is still sending (a build context), discarding it. Closing the connection
  // instead would cut the CLI off mid-upload, and it would report a broken pipe, not our message.
  req.resume();
  if (res.headersSent) return void res.destroy();
  sendJson(res, refusal.status, { message: refusal.message });
}

export function engineUnavailable(res: http.ServerResponse): void {
  if (res.headersSent) return void res.destroy();
  sendJson(res, 503, { message: 'Stagecraft: the Docker Engine behind this lab is not answering; try again in a moment' });
}

/**
 * Relays an engine answer. 'json': read whole, `transform`ed (e.g. drop what the learner does not
 * own, which needs the engine's names), then names put back. 'lines': streamed line by line with names put back (build output).
 * 'raw': streamed untouched (container logs are the learner's own program output).
 */
export function relay(answer: http.IncomingMessage, res: http.ServerResponse, mode: 'json' | 'lines' | 'raw',
  toLearner: (text: string) => string, transform?: (value: unknown) => unknown): void {
  const headers: Record<string, string> = { 'API-Version': API_VERSION };
  const type = answer.headers['content-type'];
  if (typeof type === 'string') headers['Content-Type'] = type;
  const status = answer.statusCode ?? 502;
  if (mode === 'json') {
    readAll(answer, 32 * 1024 ** 2).then((bytes) => {
      let text = bytes.toString('utf8');
      if (transform && status < 300 && text) {
        try {
          text = JSON.stringify(transform(JSON.parse(text)));
        } catch {
          // Cut off at the size cap, or not JSON: never pass on what could not be filtered.
          return sendJson(res, 502, { message: 'Stagecraft: the engine\'s answer was too large or unreadable' });
        }
      }
      text = toLearner(text);
      res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(text);
    }, () => res.destroy());
    return;
  }
  if (typeof answer.headers['content-length'] === 'string' && mode === 'raw') headers['Content-Length'] = answer.headers['content-length'];
  res.writeHead(status, headers);
  // The engine answers `wait` with headers first and the body only at exit; the CLI starts the
  // container only after it has those headers, so pass them on at once.
  res.flushHeaders();
  if (mode === 'raw') return void answer.pipe(res);
  let carry = '';
  answer.setEncoding('utf8');
  answer.on('data', (chunk: string) => {
    const text = carry + chunk;
    const cut = text.lastIndexOf('\n') + 1;
    carry = text.slice(cut);
    if (cut > 0 && !res.writableEnded) res.write(toLearner(text.slice(0, cut)));
  });
  answer.on('end', () => { if (!res.writableEnded) res.end(toLearner(carry)); });
  answer.on('error', () => res.destroy());
}

/** A raw HTTP answer on a socket that was about to be upgraded. */
export function writeRaw(socket: Duplex, status: number, contentType: string, body: Buffer): void {
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString('utf8')}`);
}

export function writeRawJson(socket: Duplex, status: number, value: unknown): void {
  writeRaw(socket, status, 'application/json', Buffer.from(JSON.stringify(value)));
}
