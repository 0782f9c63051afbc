// What an executable's own bytes say about it: is it ELF, a program or an object file, which loader
// it needs, and which compiler made it. GCC and Clang write their name and version into a
// `.comment` section of every program they link; Debian strips that section from the programs it
// packages, so a base image's tool copied under a new name carries no compiler's mark.
import { createHash } from 'node:crypto';

export interface ElfFacts {
  /** ET_EXEC or ET_DYN: something the kernel can start; ET_REL is an object file (gcc -c). */
  kind: 'program' | 'object' | 'other';
  /** The loader a dynamically linked program names (PT_INTERP), e.g. /lib64/ld-linux-x86-64.so.2. */
  interpreter?: string;
  /** The compiler's own words from `.comment`, e.g. "GCC: (Debian 12.2.0-14) 12.2.0". */
  compilerMark?: string;
  /** The linker's GNU build id (`.note.gnu.build-id`, hex): strip keeps it, so it names a program through stripping. */
  buildId?: string;
  /**
   * A digest of what the kernel loads (every PT_LOAD segment, with its address, size and flags, and
   * the entry point), the ELF header's section fields left out: strip and install -s change the
   * file, never this, so it names a program through them. Unlike the build id (-Wl,--build-id=0x…),
   * no program can claim another's without carrying its very code.
   */
  loaded?: string;
}

const MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const COMPILER_MARK = /^(?:GCC: \(.*\) \S+|(?:\S+ )?clang version \S+.*)$/;

/** The facts of an ELF file, or undefined when `bytes` is not one (a script, a text file, truncated). */
export function elfFacts(bytes: Buffer): ElfFacts | undefined {
  if (bytes.length < 64 || !bytes.subarray(0, 4).equals(MAGIC)) return undefined;
  const wide = bytes[4] === 2; // ELFCLASS64
  const little = bytes[5] === 1; // ELFDATA2LSB
  const u16 = (at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const word = (at: number) => (wide ? Number(little ? bytes.readBigUInt64LE(at) : bytes.readBigUInt64BE(at)) : u32(at));
  const inside = (offset: number, size: number) => offset >= 0 && size >= 0 && offset + size <= bytes.length;
  try {
    const type = u16(16);
    const kind = type === 2 || type === 3 ? 'program' : type === 1 ? 'object' : 'other';
    const facts: ElfFacts = { kind };
    // Program headers: the loader a dynamic program asks for, and what the kernel loads.
    const phoff = word(wide ? 32 : 28), phentsize = u16(wide ? 54 : 42), phnum = u16(wide ? 56 : 44);
    const headerSize = wide ? 64 : 52;
    // Where the program headers are and how many: a table moved or grown elsewhere loads other code.
    const loaded = createHash('sha256').update(`type ${type} entry ${word(24)} headers ${phoff} ${phnum} ${phentsize}\n`);
    // A header or a segment past the end of the file: the kernel would load what this cannot read.
    let whole = phnum <= 256;
    for (let i = 0; i < phnum && i < 256; i++) {
      const at = phoff + i * phentsize;
      if (!inside(at, phentsize)) { whole = false; continue; }
      const offset = word(at + (wide ? 8 : 4)), size = word(at + (wide ? 32 : 16));
      if (u32(at) === 3 && inside(offset, size)) facts.interpreter = bytes.subarray(offset, offset + size).toString('latin1').replace(/\0.*$/s, ''); // PT_INTERP
      if (u32(at) !== 1) continue; // PT_LOAD
      if (!inside(offset, size)) { whole = false; continue; }
      const vaddr = word(at + (wide ? 16 : 8)), memsz = word(at + (wide ? 40 : 20)), flags = u32(at + (wide ? 4 : 24));
      const segment = Buffer.from(bytes.subarray(offset, offset + size));
      // The ELF header a first segment holds names where the sections are, which strip moves.
      if (offset < headerSize) segment.fill(0, 0, Math.min(headerSize - offset, segment.length));
      loaded.update(`load ${vaddr} ${memsz} ${flags} ${size}\n`).update(segment);
    }
    if (whole) facts.loaded = loaded.digest('hex');
    // Section headers: find .comment by name in the section-name table.
    const shoff = word(wide ? 40 : 32), shentsize = u16(wide ? 58 : 46), shnum = u16(wide ? 60 : 48), shstrndx = u16(wide ? 62 : 50);
    const section = (i: number) => {
      const at = shoff + i * shentsize;
      if (!inside(at, shentsize)) return undefined;
      return { name: u32(at), offset: word(at + (wide ? 24 : 16)), size: word(at + (wide ? 32 : 20)) };
    };
    const names = section(shstrndx);
    if (!names || !inside(names.offset, names.size)) return facts;
    for (let i = 0; i < shnum && i < 4096; i++) {
      const s = section(i);
      if (!s || s.name >= names.size || !inside(s.offset, s.size)) continue;
      const nameEnd = bytes.indexOf(0, names.offset + s.name);
      const name = bytes.subarray(names.offset + s.name, nameEnd).toString('latin1');
      if (name === '.comment') {
        const marks = bytes.subarray(s.offset, s.offset + s.size).toString('latin1').split('\0');
        facts.compilerMark = marks.find((m) => COMPILER_MARK.test(m));
      } else if (name === '.note.gnu.build-id' && s.size >= 16) {
        // One note: name size, descriptor size, type (3: NT_GNU_BUILD_ID), "GNU\0", the id.
        const namesz = u32(s.offset), descsz = u32(s.offset + 4), type = u32(s.offset + 8);
        const desc = s.offset + 12 + ((namesz + 3) & ~3);
        if (type === 3 && descsz > 0 && descsz <= 64 && inside(desc, descsz)) facts.buildId = bytes.subarray(desc, desc + descsz).toString('hex');
      }
    }
    return facts;
  } catch {
    return undefined; // a header that points past the end: not a file the kernel would start
  }
}
