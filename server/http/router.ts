// The API's routes, on find-my-way (Fastify's router): a radix tree with typed parameters, so a
// route is declared once with its method and path, not matched by hand in a chain of ifs. Every
// POST first passes the origin check (CSRF: another site's page gets 403); a route that throws
// answers 500 in the API's error shape; an unknown path 404, a known one with another method 405.
import type http from 'node:http';
import Router from 'find-my-way';
import { fail } from './respond.ts';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse, params: Record<string, string>, query: URLSearchParams) => unknown;

const METHODS = ['GET', 'POST'] as const;

export class ApiRouter {
  readonly #router = Router({ caseSensitive: true, ignoreTrailingSlash: false, maxParamLength: 64 });
  readonly #origins: () => Set<string>;

  constructor(origins: () => Set<string>) {
    this.#origins = origins;
  }

  get(path: string, route: Route): this {
    this.#router.on('GET', path, route as never);
    return this;
  }

  /** A POST route, reached only from an allowed Origin. */
  post(path: string, route: Route): this {
    const checked: Route = (req, res, params, query) => {
      if (!this.#origins().has(req.headers.origin ?? '')) return fail(res, 403, 'cross-site request refused');
      return route(req, res, params, query);
    };
    this.#router.on('POST', path, checked as never);
    return this;
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const found = (METHODS as readonly string[]).includes(method) ? this.#router.find(method as (typeof METHODS)[number], url.pathname) : null;
    if (!found) {
      const allowed = METHODS.filter((m) => this.#router.find(m, url.pathname));
      if (allowed.length > 0) return fail(res, 405, `this API answers ${allowed.join(' and ')} only`, { Allow: allowed.join(', ') });
      return fail(res, 404, 'no such API');
    }
    try {
      await (found.handler as unknown as Route)(req, res, found.params as Record<string, string>, url.searchParams);
    } catch (error) {
      console.error('api: unexpected error', error);
      if (!res.headersSent) fail(res, 500, 'something went wrong on the server; it has been logged');
      else res.destroy();
    }
  }
}
