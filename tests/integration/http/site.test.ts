// The HTTP side of the real server: health, the built site, path safety.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.cleanup();
});

describe('GET /api/health', () => {
  it('reports the engine version, the profile and the lab images', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ ok: true, profile: 'offline', images: { toolchain: true, runtime: true, workspace: true } });
    expect(body.engine.version).toMatch(/^\d+\.\d+/);
    expect(body.engine.apiVersion).toMatch(/^1\.\d+$/);
  });
});

describe('the site', () => {
  it('serves the course home without a cookie (a session starts at the first stateful request: visitors.test)', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('/lessons/single-stage/');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('serves the lesson page with the terminal region', async () => {
    const html = await (await fetch(`${server.url}/lessons/single-stage/`)).text();
    expect(html).toContain('aria-label="Terminal"');
    expect(html).toContain('data-state="connecting"');
  });

  it('redirects a lesson path without its final slash', async () => {
    const res = await fetch(`${server.url}/lessons/single-stage`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/lessons/single-stage/');
  });

  it('never serves a file outside the site folder', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/%2e%2e%2f%2e%2e%2fetc/passwd', '/%00']) {
      const res = await fetch(`${server.url}${path}`);
      expect([400, 404], path).toContain(res.status);
      expect(await res.text(), path).not.toContain('"dependencies"');
    }
  });

  it('answers an unknown API with 404, and a POST to a page with 405', async () => {
    expect((await fetch(`${server.url}/api/nothing`)).status).toBe(404); // the error's shape: api-contract.test
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(405);
  });
});
