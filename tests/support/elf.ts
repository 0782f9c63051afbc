// A small, well-formed ELF64 file for tests of what grading reads from a program's bytes: its
// type, the loader it names and the `.comment` a compiler leaves. Laid out as a linker would:
// header, program headers, the loader's path, the sections' contents, the section headers last.

export interface ElfOptions {
  /** 2 (ET_EXEC), 3 (ET_DYN, a PIE program) or 1 (ET_REL, an object file). */
  type?: number;
  interpreter?: string;
  /** The `.comment` strings, e.g. ['GCC: (Debian 12.2.0-14) 12.2.0']. */
  comment?: string[];
}

export function elfFile({ type = 3, interpreter, comment }: ElfOptions = {}): Buffer {
  const interp = interpreter === undefined ? Buffer.alloc(0) : Buffer.from(`${interpreter}\0`, 'latin1');
  const commentBytes = comment === undefined ? Buffer.alloc(0) : Buffer.from(comment.map((c) => `${c}\0`).join(''), 'latin1');
  const names = Buffer.from(`\0.shstrtab\0${comment ? '.comment\0' : ''}`, 'latin1');
  const phnum = interpreter === undefined ? 0 : 1;
  const phoff = 64;
  const interpAt = phoff + 56 * phnum;
  const commentAt = interpAt + interp.length;
  const namesAt = commentAt + commentBytes.length;
  const shoff = namesAt + names.length;
  const sections = [{ name: 0, at: 0, size: 0 }, { name: 1, at: namesAt, size: names.length }];
  if (comment) sections.push({ name: 11, at: commentAt, size: commentBytes.length });
  const out = Buffer.alloc(shoff + 64 * sections.length);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // ELF, 64-bit, little-endian, version 1
  out.writeUInt16LE(type, 16);
  out.writeUInt16LE(62, 18); // x86-64
  out.writeUInt32LE(1, 20);
  out.writeBigUInt64LE(BigInt(phnum ? phoff : 0), 32);
  out.writeBigUInt64LE(BigInt(shoff), 40);
  out.writeUInt16LE(64, 52);
  out.writeUInt16LE(56, 54);
  out.writeUInt16LE(phnum, 56);
  out.writeUInt16LE(64, 58);
  out.writeUInt16LE(sections.length, 60);
  out.writeUInt16LE(1, 62); // .shstrtab
  if (phnum) {
    out.writeUInt32LE(3, phoff); // PT_INTERP
    out.writeBigUInt64LE(BigInt(interpAt), phoff + 8);
    out.writeBigUInt64LE(BigInt(interp.length), phoff + 32);
  }
  interp.copy(out, interpAt);
  commentBytes.copy(out, commentAt);
  names.copy(out, namesAt);
  sections.forEach((s, i) => {
    const at = shoff + 64 * i;
    out.writeUInt32LE(s.name, at);
    out.writeBigUInt64LE(BigInt(s.at), at + 24);
    out.writeBigUInt64LE(BigInt(s.size), at + 32);
  });
  return out;
}
