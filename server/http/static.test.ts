import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveStatic } from './static.ts';

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
