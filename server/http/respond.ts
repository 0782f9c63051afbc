// How the HTTP API answers: JSON; every error in one shape, { "error": "<a sentence for the reader>" },
// with "field" too when one field of the request is at fault;
// CSV downloads, SVG pictures; and request bodies read capped and checked against their schema in src/schemas/.
import type http from 'node:http';
import type { z } from 'zod';
import { readCapped } from '../read-capped.ts';
import type { NewLearner, Refusal } from './admission.ts';

/** Largest request body the API reads. */
export const MAX_BODY_BYTES = 16 * 1024;

export function json(res: http.ServerResponse, status: number, value: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const body = JSON.stringify(value ?? {});
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** An error answer: the one shape every client reads. */
export function fail(res: http.ServerResponse, status: number, error: string, headers: http.OutgoingHttpHeaders = {}): void {
  json(res, status, { error }, headers);
}

export function csv(res: http.ServerResponse, filename: string, text: string): void {
  res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"`, 'Cache-Control': 'no-store' });
  res.end(text);
}

/** An SVG picture the server drew (a QR code): served as an image, so a page never inserts it as HTML. */
export function svg(res: http.ServerResponse, text: string): void {
  res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * `value` checked against `schema`; on a mismatch, answers 400 with the first broken rule's
 * sentence and the field it is about (`{ error, field }`), and returns undefined.
 */
export function valid<S extends z.ZodType>(res: http.ServerResponse, schema: S, value: unknown): z.infer<S> | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    json(res, 400, { error: `this request takes no field named "${issue.keys[0]}"`, field: issue.keys[0] });
  } else {
    json(res, 400, { error: issue.message, field: issue.path.join('.') });
  }
  return undefined;
}

/** The request's JSON body checked against `schema`; or undefined, having answered 413 or 400 with why. */
export async function readBody<S extends z.ZodType>(req: http.IncomingMessage, res: http.ServerResponse, schema: S): Promise<z.infer<S> | undefined> {
  const bytes = await readCapped(req, MAX_BODY_BYTES);
  if (!bytes) return void fail(res, 413, `a request body is at most ${MAX_BODY_BYTES / 1024} KiB`);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return void fail(res, 400, 'the request body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return void fail(res, 400, 'the request body must be a JSON object');
  return valid(res, schema, value);
}

/** A refusal of the lab's limits: 503 (full) or 429 (rate), with Retry-After and the learner's message. */
export function refuse(res: http.ServerResponse, refusal: Refusal): void {
  fail(res, refusal.status, refusal.message, { 'Retry-After': String(refusal.retryAfterSeconds) });
}

/** The request's learner (`known`), or a new one; undefined once a refusal has been sent. */
export async function learnerOrNew(req: http.IncomingMessage, res: http.ServerResponse, known: string | undefined, newLearner: NewLearner): Promise<string | undefined> {
  if (known) return known;
  const made = await newLearner(req, res);
  if (made.ok) return made.value;
  refuse(res, made.error);
  return undefined;
}
