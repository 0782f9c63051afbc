// The gateway's own requests to the engine: always our method, our path, the pinned API version
// and our headers, never the learner's bytes.
import type http from 'node:http';
import { engineRequest, type EngineEndpoint } from '../endpoint.ts';
import { API_VERSION } from './police.ts';

export interface EngineAnswer { status: number; body: unknown; text: string }

export class EngineClient {
  readonly endpoint: EngineEndpoint;

  constructor(endpoint: EngineEndpoint) {
    this.endpoint = endpoint;
  }

  /** A request whose answer the caller streams (build output, logs, wait). */
  request(method: string, path: string, query: URLSearchParams | undefined, headers: Record<string, string>): http.ClientRequest {
    const search = query && query.size > 0 ? `?${query}` : '';
    return engineRequest(this.endpoint, { method, path: `/v${API_VERSION}${path}${search}`, headers: { Host: 'docker', ...headers } });
  }

  /** A JSON request whose whole answer is read (at most 32 MiB); rejects only when the engine does not answer. */
  json(method: string, path: string, query?: URLSearchParams, body?: unknown): Promise<EngineAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {};
    return new Promise((resolve, reject) => {
      const req = this.request(method, path, query, headers);
      req.on('response', (res) => {
        readAll(res, 32 * 1024 ** 2).then((bytes) => {
          const text = bytes.toString('utf8');
          let parsed: unknown = undefined;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined; // not JSON (e.g. a plain-text error): callers use `text`
          }
          resolve({ status: res.statusCode ?? 502, body: parsed, text });
        }, reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** Reads a stream to its end, keeping at most `limit` + 1 bytes (so "too large" can be told apart). */
export function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (size <= limit) chunks.push(chunk);
      size += chunk.length;
    });
    stream.on('end', () => resolve(Buffer.concat(chunks).subarray(0, limit + 1)));
    stream.on('error', reject);
  });
}
