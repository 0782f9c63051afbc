// The operator's commands: create an instructor (password on standard input) and back up the store
// with SQLite's online backup while it is open.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../server/store/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const data = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
const cli = (args: string[], input = '') => execFileSync(process.execPath, [path.join(ROOT, 'server/cli.ts'), ...args], { env: { ...process.env, STAGECRAFT_DATA: data }, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

describe('node server/cli.ts', () => {
  it('instructor add NAME creates an instructor who can sign in', () => {
    expect(cli(['instructor', 'add', 'grace'], 'a long enough password\n')).toContain('Instructor "grace" is ready');
    const store = openStore(path.join(data, 'stagecraft.db'));
    expect(store.signIn('grace', 'a long enough password')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.signIn('grace', 'wrong')).toBeUndefined();
    store.close();
  });

  it('refuses a short password with one sentence', () => {
    expect(() => cli(['instructor', 'add', 'x'], 'short\n')).toThrow(/at least 10 characters/);
  });

  it('backup FILE copies the store while it is open', async () => {
    const open = openStore(path.join(data, 'stagecraft.db'));
    open.createLearner();
    const copy = path.join(data, 'backup.db');
    expect(cli(['backup', copy])).toContain('Backed up');
    open.close();
    const restored = openStore(copy);
    expect(restored.signIn('grace', 'a long enough password')).toBeDefined();
    restored.close();
  });
});
