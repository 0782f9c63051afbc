import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendFile, isCompressed, tarEntries } from './build-context.ts';

/** A real tar made by GNU tar, with a long name to exercise the long-name entries. */
function makeTar(): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctx-'));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM mine\n');
  const deep = path.join(dir, 'a'.repeat(60), 'b'.repeat(60));
  fs.mkdirSync(deep, { recursive: true });
  fs.writeFileSync(path.join(deep, 'file.txt'), 'x'.repeat(1000));
  const tar = execFileSync('tar', ['-C', dir, '-cf', '-', '.']);
  fs.rmSync(dir, { recursive: true, force: true });
  return tar;
}

describe('build context tar', () => {
  it('lists entries with their data, long names included', () => {
    const tar = makeTar();
    const listed = tarEntries(tar)!;
    const dockerfile = listed.entries.find((e) => e.name === 'Dockerfile')!;
    expect(tar.subarray(dockerfile.offset, dockerfile.offset + dockerfile.size).toString()).toBe('FROM mine\n');
    expect(listed.entries.some((e) => e.name.endsWith(`${'b'.repeat(60)}/file.txt`))).toBe(true);
  });

  it('appends a file that tar itself can read back', () => {
    const tar = makeTar();
    const { tar: appended, name } = appendFile(tar, tarEntries(tar)!.end, 'FROM sc-x/mine:latest\n');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ctx-')), 'ctx.tar');
    fs.writeFileSync(file, appended);
    expect(execFileSync('tar', ['-xOf', file, name]).toString()).toBe('FROM sc-x/mine:latest\n');
    expect(tarEntries(appended)!.entries.map((e) => e.name)).toContain(name);
  });

  it('refuses what is not a tar, and spots compressed contexts', () => {
    expect(tarEntries(Buffer.from('not a tar'.padEnd(512, 'x')))).toBeUndefined();
    expect(isCompressed(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe(true);
    expect(isCompressed(makeTar())).toBe(false);
  });
});
