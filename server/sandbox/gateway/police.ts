// Pure checks of a learner's request against the policy table: path, query and JSON body.
// Refusals are values with a stable code; the learner sees the message in Docker's error shape.
import { BUILD_QUERY, BUILDKIT_PATHS, ROUTES, type FieldRule, type Route } from '../policy.ts';

export type RefusalCode =
  | 'malformed_request' | 'endpoint_forbidden' | 'buildkit_forbidden' | 'query_forbidden'
  | 'unknown_field' | 'setting_forbidden' | 'body_too_large' | 'context_too_large' | 'pull_unavailable'
  | 'api_version_unsupported' | 'invalid_reference' | 'base_image_read_only' | 'not_owner' | 'not_found'
  | 'dockerfile_forbidden' | 'dockerfile_unparsable' | 'context_unreadable' | 'image_in_use'
  | 'quota_containers' | 'quota_images' | 'quota_image_bytes' | 'quota_files' | 'quota_builds' | 'build_timeout';

export interface Refusal { code: RefusalCode; status: number; message: string }
export type Result<T> = { ok: true; value: T } | { ok: false; error: Refusal };

export const refuse = (code: RefusalCode, message: string, status = 403): { ok: false; error: Refusal } =>
  ({ ok: false, error: { code, status, message: `Stagecraft: ${message}` } });

/** The API version the gateway speaks and pins every forwarded request to. */
export const API_VERSION = '1.41';

export interface Matched { route: Route; path: string; query: URLSearchParams }

/** Finds the route for a request line; the path returned has no version prefix. */
export function matchRoute(method: string, rawUrl: string): Result<Matched> {
  // Names never contain these, so refusing them leaves no room for encoding tricks or traversal.
  if (!rawUrl.startsWith('/') || /%|\.\.|\/\/|\\|[\u0000-\u001f\u007f]/.test(rawUrl.split('?')[0]!)) {
    return refuse('malformed_request', 'malformed request path', 400);
  }
  const url = new URL(rawUrl, 'http://gateway');
  let path = url.pathname;
  const versioned = /^\/v(\d+)\.(\d+)(\/.*)$/.exec(path);
  if (versioned) {
    const [major, minor] = [Number(versioned[1]), Number(versioned[2])];
    // Older API versions accept settings in places the newer ones do not; newer ones add fields.
    if (major !== 1 || minor < 24 || minor > 41) {
      return refuse('api_version_unsupported', `API version ${major}.${minor} is not supported: this lab speaks ${API_VERSION}`, 400);
    }
    path = versioned[3]!;
  }
  if (BUILDKIT_PATHS.test(path) || (path === '/build' && url.searchParams.get('version') === '2')) {
    return refuse('buildkit_forbidden', 'BuildKit is not available in this lab, which uses the classic builder: unset DOCKER_BUILDKIT or set DOCKER_BUILDKIT=0');
  }
  const route = ROUTES.find((r) => r.method === method && r.path.test(path));
  if (!route) return refuse('endpoint_forbidden', `${method} ${path} is not available in this lab`);
  for (const key of new Set(url.searchParams.keys())) {
    if (!route.query.includes(key)) return refuse('query_forbidden', `the option "${key}" is not allowed for ${path} in this lab`);
    if (url.searchParams.getAll(key).length > 1 && !route.repeatable?.includes(key)) return refuse('malformed_request', `the option "${key}" is given twice`, 400);
  }
  return { ok: true, value: { route, path, query: url.searchParams } };
}

/** Build options: the learner's own fields pass, the rest only at the CLI's defaults. */
export function policeBuildQuery(query: URLSearchParams): Result<URLSearchParams> {
  const kept = new URLSearchParams();
  for (const [key, value] of query) {
    const rule = Object.hasOwn(BUILD_QUERY, key) ? BUILD_QUERY[key] : undefined;
    if (rule === undefined) return refuse('query_forbidden', `the build option "${key}" is not allowed in this lab`);
    if (rule === 'learner') kept.append(key, value);
    else if (value !== rule) {
      const flag = key === 'networkmode' ? '--network' : key === 'cgroupparent' ? '--cgroup-parent' : key;
      return refuse('setting_forbidden', `${flag} is not allowed for builds in this lab`);
    }
  }
  for (const key of ['buildargs', 'labels', 'dockerfile', 'target', 'q', 'nocache', 'rm', 'forcerm']) {
    if (kept.getAll(key).length > 1) return refuse('malformed_request', `the build option "${key}" is given twice`, 400);
  }
  for (const key of ['buildargs', 'labels']) {
    const value = kept.get(key);
    if (value !== null && !isStringMap(value)) return refuse('malformed_request', `the build option "${key}" must be a JSON object of strings`, 400);
  }
  return { ok: true, value: kept };
}

function isStringMap(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string' || v === null);
  } catch {
    return false; // not JSON: the caller refuses it
  }
}

/** Parses a JSON body of at most `limit` bytes into a plain object. */
export function parseJsonBody(bytes: Buffer, limit: number): Result<Record<string, unknown>> {
  if (bytes.length > limit) return refuse('body_too_large', `request body is larger than ${limit} bytes`, 413);
  if (bytes.length === 0) return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return refuse('malformed_request', 'request body is not valid JSON', 400);
  }
  return isPlainObject(value) ? { ok: true, value } : refuse('malformed_request', 'request body must be a JSON object', 400);
}

/**
 * Checks a body against a field table and returns a fresh object holding only allowed fields.
 * Field names are matched exactly: the engine reads them case-insensitively, so "hostconfig" is an
 * unknown field here and refused, never passed through. Duplicate keys collapse in JSON.parse, and we
 * forward our own re-serialised object, so the engine reads exactly what we checked.
 */
export function policeBody(body: Record<string, unknown>, table: Record<string, FieldRule>, prefix = ''): Result<Record<string, unknown>> {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const rule = Object.hasOwn(table, path) ? table[path] : undefined;
    if (rule === undefined) return refuse('unknown_field', `the setting "${path}" is not allowed in this lab`);
    if (rule === 'object') {
      if (value === null || value === undefined) continue;
      if (!isPlainObject(value)) return refuse('malformed_request', `"${path}" must be an object`, 400);
      const nested = policeBody(value, table, path);
      if (!nested.ok) return nested;
      clean[key] = nested.value;
    } else if (rule === 'allow') {
      clean[key] = value;
    } else if ('zero' in rule) {
      if (!isZero(value)) return refuse('setting_forbidden', rule.zero);
    } else if (!rule.oneOf.includes(value)) {
      return refuse('setting_forbidden', rule.message);
    }
  }
  return { ok: true, value: clean };
}

/** What the CLI sends for a flag the learner did not use: null, false, 0, "", or containers of those. */
export function isZero(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.every(isZero);
  if (isPlainObject(value)) return Object.values(value).every(isZero);
  return false;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A refusal thrown from deep in a handler; the gateway answers it. */
export class Refused extends Error {
  readonly refusal: Refusal;

  constructor(refusal: Refusal) {
    super(refusal.message);
    this.refusal = refusal;
  }
}

/** The value of a result, or a thrown `Refused` that the gateway turns into the learner's error. */
export function expect<T>(result: Result<T>): T {
  if (!result.ok) throw new Refused(result.error);
  return result.value;
}

