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
  it('instructor add NAME creates an instructor who can sign in', async () => {
    expect(cli(['instructor', 'add', 'grace'], 'a long enough password\n')).toContain('Instructor "grace" is ready');
    const store = openStore(path.join(data, 'stagecraft.db'));
    expect(await store.signIn('grace', 'a long enough password')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await store.signIn('grace', 'wrong')).toBeUndefined();
    store.close();
  });

  it('instructor add for an existing name sets the password and ends their sessions', async () => {
    cli(['instructor', 'add', 'ada'], 'a long enough password\n');
    const before = openStore(path.join(data, 'stagecraft.db'));
    const token = (await before.signIn('ada', 'a long enough password'))!;
    expect(before.instructorForSession(token)?.name).toBe('ada');
    before.close();
    cli(['instructor', 'add', 'ada'], 'a new long password\n');
    const after = openStore(path.join(data, 'stagecraft.db'));
    expect(after.instructorForSession(token)).toBeUndefined();
    expect(await after.signIn('ada', 'a long enough password')).toBeUndefined();
    expect(await after.signIn('ada', 'a new long password')).toBeDefined();
    after.close();
  });

  it('refuses a short password with one sentence', () => {
    expect(() => cli(['instructor', 'add', 'x'], 'short\n')).toThrow(/at least 10 characters/);
  });

  it('backup FILE copies the store while it is open', async () => {
    cli(['instructor', 'add', 'linus'], 'a long enough password\n');
    const open = openStore(path.join(data, 'stagecraft.db'));
    open.createLearner();
    const copy = path.join(data, 'backup.db');
    expect(cli(['backup', copy])).toContain('Backed up');
    open.close();
    const restored = openStore(copy);
    expect(await restored.signIn('linus', 'a long enough password')).toBeDefined();
    restored.close();
  });
});
