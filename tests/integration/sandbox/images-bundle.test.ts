// An air-gapped classroom: the lab images exported to one tarball load on an engine that never built
// them (a second dockerd here), and `status` then finds every one at its recipe hash.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDocsEngine, type DocsEngine } from '../../support/docs-registry.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const script = path.join(ROOT, 'scripts/lab-images.sh');
let engine: DocsEngine;
const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-')), 'lab-images.tar');

beforeAll(async () => {
  engine = await startDocsEngine([]);
}, 120_000);

afterAll(async () => {
  await engine?.stop();
  fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
});

describe('lab image bundle', () => {
  it('exports the three images and imports them on another engine', () => {
    execFileSync('bash', [script, 'export', bundle], { stdio: 'ignore' });
    expect(fs.statSync(bundle).size).toBeGreaterThan(100 * 1024 ** 2);
    const other = { ...process.env, DOCKER_HOST: `unix://${engine.socket}` };
    expect(() => execFileSync('bash', [script, 'status'], { env: other, stdio: 'ignore' })).toThrow();
    const output = execFileSync('bash', [script, 'import', bundle], { env: other }).toString();
    expect(output).toMatch(/toolchain: present[\s\S]*runtime: present[\s\S]*workspace: present/);
  });

  it('refuses a file that is not a bundle, with one sentence', () => {
    const junk = path.join(path.dirname(bundle), 'junk.tar');
    fs.writeFileSync(junk, 'not a tarball');
    let message = '';
    try {
      execFileSync('bash', [script, 'import', junk], { env: { ...process.env, DOCKER_HOST: `unix://${engine.socket}` }, stdio: 'pipe' });
    } catch (error) {
      message = String((error as { stderr: Buffer }).stderr);
    }
    expect(message).toContain('is not an image bundle that this engine can load');
  });
});
