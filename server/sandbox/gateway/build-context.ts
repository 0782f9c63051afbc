// The build context is a tar stream. To show the engine a rewritten Dockerfile without touching the
// learner's files, append it as one more entry and point the build at it.
import { randomBytes } from 'node:crypto';

const BLOCK = 512;

export interface TarEntry { name: string; offset: number; size: number }

/** Reads the entries of an uncompressed tar (ustar, GNU long names, PAX paths); undefined if it is not one. */
export function tarEntries(tar: Buffer): { entries: TarEntry[]; end: number } | undefined {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return { entries, end: offset };
    const size = octal(header.subarray(124, 136));
    if (size === undefined) return undefined;
    const type = String.fromCharCode(header[156]!);
    const dataStart = offset + BLOCK;
    if (dataStart + size > tar.length) return undefined;
    const data = tar.subarray(dataStart, dataStart + size);
    if (type === 'L') longName = text(data);
    else if (type === 'x') longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1] ?? longName;
    else if (type !== 'g') {
      const prefix = text(header.subarray(345, 500));
      const name = longName ?? (prefix ? `${prefix}/${text(header.subarray(0, 100))}` : text(header.subarray(0, 100)));
      entries.push({ name: name.replace(/^\.\//, ''), offset: dataStart, size });
      longName = undefined;
    }
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  return { entries, end: offset }; // no end-of-archive blocks: Go's writer always adds them, but be lenient
}

/** Whether the context is compressed (the engine would unpack gzip, bzip2 or xz itself). */
export function isCompressed(tar: Buffer): boolean {
  return (tar[0] === 0x1f && tar[1] === 0x8b) || tar.subarray(0, 3).toString('latin1') === 'BZh' || tar.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
}

/** The tar with `content` appended as a new file; returns its name too. */
export function appendFile(tar: Buffer, end: number, content: string): { tar: Buffer; name: string } {
  const name = `.stagecraft-dockerfile-${randomBytes(6).toString('hex')}`;
  const body = Buffer.from(content, 'utf8');
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 'latin1');
  header.write('0000000\0', 108, 'latin1');
  header.write('0000000\0', 116, 'latin1');
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136, 'latin1');
  header.write('0', 156, 'latin1');
  header.write('ustar\0' + '00', 257, 'latin1');
  header.write('        ', 148, 'latin1'); // checksum is computed with its own field as spaces
  const checksum = header.reduce((sum, b) => sum + b, 0);
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const padding = Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK);
  return { tar: Buffer.concat([tar.subarray(0, end), header, body, padding, Buffer.alloc(BLOCK * 2)]), name };
}

function octal(field: Buffer): number | undefined {
  if ((field[0]! & 0x80) !== 0) return undefined; // base-256 sizes: files over 8 GiB, far past the cap
  const value = text(field).trim();
  return /^[0-7]*$/.test(value) ? Number.parseInt(value || '0', 8) : undefined;
}

function text(field: Buffer): string {
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? field.length : nul).toString('utf8');
}
