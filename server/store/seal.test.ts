import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOrCreateKey, sealer } from './seal.ts';

describe('sealer', () => {
  it('opens what it sealed, and nothing sealed under another key', () => {
    const mine = sealer(Buffer.alloc(32, 1));
    const sealed = mine.seal('ABCD-EFGH-JKMN');
    expect(sealed).not.toContain('ABCD');
    expect(mine.open(sealed)).toBe('ABCD-EFGH-JKMN');
    expect(sealer(Buffer.alloc(32, 2)).open(sealed)).toBeUndefined();
    expect(mine.open('not a seal')).toBeUndefined();
  });

  it('makes its key file once, readable by its owner only, and reads it back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-'));
    const file = path.join(dir, 'store.key');
    const key = readOrCreateKey(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readOrCreateKey(file)).toEqual(key);
    fs.rmSync(dir, { recursive: true });
  });
});
