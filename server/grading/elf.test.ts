// What grading reads from a program's bytes; real programs of the lab images are judged by the golden cases.
import { describe, expect, it } from 'vitest';
import { elfFile } from '../../tests/support/elf.ts';
import { elfFacts } from './elf.ts';

const GCC = 'GCC: (Debian 12.2.0-14+deb12u1) 12.2.0';

describe('elfFacts', () => {
  it('reads the compiler mark and the loader of a dynamically linked program', () => {
    expect(elfFacts(elfFile({ interpreter: '/lib64/ld-linux-x86-64.so.2', comment: [GCC] }))).toEqual({
      kind: 'program', interpreter: '/lib64/ld-linux-x86-64.so.2', compilerMark: GCC, loaded: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('knows Clang, and a mark among other notes', () => {
    expect(elfFacts(elfFile({ type: 2, comment: ['Linker: LLD 16.0.6', 'Debian clang version 16.0.6 (15)'] }))?.compilerMark).toBe('Debian clang version 16.0.6 (15)');
  });

  it('finds no mark on a program whose .comment is gone (as Debian ships its tools) or says something else', () => {
    expect(elfFacts(elfFile({ type: 2 }))).toEqual({ kind: 'program', loaded: expect.any(String) });
    expect(elfFacts(elfFile({ comment: ['made by hand', 'GCC: not really'] }))?.compilerMark).toBeUndefined();
  });

  it('names a program by the code the kernel loads: not the section headers strip rewrites, but every loaded byte and the entry point', () => {
    const program = elfFile({ interpreter: '/lib64/ld-linux-x86-64.so.2', comment: [GCC] });
    const stripped = Buffer.from(program);
    stripped.writeBigUInt64LE(0n, 40); // no section headers (e_shoff), as after strip
    stripped.writeUInt16LE(0, 60); // e_shnum
    expect(elfFacts(stripped)?.loaded).toBe(elfFacts(program)?.loaded);
    const moved = Buffer.from(program);
    moved.writeBigUInt64LE(0x401000n, 24); // another entry point
    expect(elfFacts(moved)?.loaded).not.toBe(elfFacts(program)?.loaded);
  });

  it('names no loaded code for a program whose headers were moved or load past the end of the file (eighth review: a forged twin)', () => {
    const program = elfFile({ interpreter: '/lib64/ld-linux-x86-64.so.2', comment: [GCC] });
    const fewer = Buffer.from(program);
    fewer.writeUInt16LE(0, 56); // e_phnum: the table says something else is loaded
    expect(elfFacts(fewer)?.loaded).not.toBe(elfFacts(program)?.loaded);
    const pastTheEnd = Buffer.from(program);
    pastTheEnd.writeUInt32LE(1, 64); // the one header becomes a PT_LOAD…
    pastTheEnd.writeBigUInt64LE(BigInt(program.length), 64 + 32); // …of more bytes than the file holds
    expect(elfFacts(pastTheEnd)?.kind).toBe('program');
    expect(elfFacts(pastTheEnd)?.loaded).toBeUndefined();
  });

  it('tells an object file (gcc -c) from a program', () => {
    expect(elfFacts(elfFile({ type: 1, comment: [GCC] }))?.kind).toBe('object');
  });

  it('is not fooled by scripts, short files or headers that point past the end', () => {
    expect(elfFacts(Buffer.from('#!/bin/sh\necho "Hello, world!"\n'))).toBeUndefined();
    expect(elfFacts(elfFile().subarray(0, 20))).toBeUndefined();
    const broken = elfFile({ comment: [GCC] });
    broken.writeBigUInt64LE(BigInt(broken.length + 1000), 40); // section headers beyond the file
    expect(elfFacts(broken)).toEqual({ kind: 'program', loaded: expect.any(String) });
    const huge = elfFile({ interpreter: '/lib/ld.so' });
    huge.writeBigUInt64LE(2n ** 60n, 64 + 32); // a loader path longer than the file
    expect(elfFacts(huge)?.interpreter).toBeUndefined();
  });
});
