import { describe, expect, it } from 'vitest';
import tar from 'tar-stream';
import { END, paxEntry, rawEntry } from '../../../tests/support/tar.ts';
import { dockerfileIn, readContext, writeContext, type ContextEntry } from './build-context.ts';



async function packed(entries: Array<{ name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device'; linkname?: string; data?: string }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const { data, ...header } of entries) {
    if (data === undefined) pack.entry(header);
    else pack.entry(header, data);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function unpack(stream: NodeJS.ReadableStream): Promise<ContextEntry[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const read = await readContext(Buffer.concat(chunks));
  if (!read.ok) throw new Error(read.error.message);
  return read.value;
}

describe('readContext', () => {
  it('reads files, folders, symlinks inside the context and long names', async () => {
    const long = `${'d'.repeat(120)}/file`;
    const read = await readContext(await packed([
      { name: './Dockerfile', data: 'FROM scratch\n' }, { name: 'src', type: 'directory' }, { name: 'src/hello.c', data: 'int main(){}' },
      { name: 'src/link', type: 'symlink', linkname: 'hello.c' }, { name: long, data: 'x' },
    ]));
    expect(read.ok && read.value.map((e) => [e.name, e.type])).toEqual([['Dockerfile', 'file'], ['src', 'directory'], ['src/hello.c', 'file'], ['src/link', 'symlink'], [long, 'file']]);
    expect(read.ok && dockerfileIn(read.value, 'Dockerfile')).toEqual({ ok: true, value: 'FROM scratch\n' });
  });

  it('reads the tar of docker build -f - ., which stops right after its last file (no padding, no end blocks)', async () => {
    const whole = await packed([{ name: 'hello.c', data: 'int main(){}' }, { name: '.dockerfile.46b2791b', data: 'FROM scratch\nCOPY hello.c .\n' }]);
    const cut = whole.subarray(0, 512 * 3 + 'FROM scratch\nCOPY hello.c .\n'.length); // as the CLI sends it
    const read = await readContext(cut);
    expect(read.ok && dockerfileIn(read.value, '.dockerfile.46b2791b')).toEqual({ ok: true, value: 'FROM scratch\nCOPY hello.c .\n' });
    // A last file really cut short (its data ends before its size says) is still refused.
    expect(await readContext(cut.subarray(0, cut.length - 3))).toMatchObject({ ok: false, error: { message: 'Stagecraft: the build context is not a readable tar archive' } });
  });

  it('turns a hard link into a copy of its file', async () => {
    const read = await readContext(await packed([{ name: 'a', data: 'same' }, { name: 'b', type: 'link', linkname: 'a' }]));
    expect(read.ok && read.value.map((e) => [e.name, e.type, e.data?.toString()])).toEqual([['a', 'file', 'same'], ['b', 'file', 'same']]);
  });

  it('refuses hard links whose copies would add up past the cap (found in the second review)', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const links = Array.from({ length: 60 }, (_, i) => ({ name: `l${i}`, type: 'link' as const, linkname: 'big' }));
    const read = await readContext(await packed([{ name: 'big', data: big }, ...links]));
    expect(read.ok ? '' : read.error.message).toMatch(/hard links would copy more than 50 MB/);
  });

  it.each([
    ['an absolute path', [{ name: '/etc/Dockerfile', data: 'x' }], /absolute path/],
    ['a path that climbs out', [{ name: 'a/../../Dockerfile', data: 'x' }], /leaves the context/],
    ['a symlink out of the context', [{ name: 'up', type: 'symlink' as const, linkname: '../../etc/passwd' }], /outside the folder/],
    ['an absolute symlink', [{ name: 'abs', type: 'symlink' as const, linkname: '/etc/passwd' }], /outside the folder/],
    ['a hard link to nothing in the context', [{ name: 'h', type: 'link' as const, linkname: 'missing' }], /not a file in the build context/],
    ['a device', [{ name: 'tty', type: 'character-device' as const }], /only files, folders and links/],
    ['the same name twice', [{ name: 'Dockerfile', data: 'FROM a' }, { name: 'Dockerfile', data: 'FROM b' }], /twice/],
  ])('refuses %s', async (_what, entries, message) => {
    const read = await readContext(await packed(entries));
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.error.message).toMatch(message);
  });

  it('refuses PAX keys it does not know, such as sparse maps', async () => {
    const context = Buffer.concat([paxEntry({ 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.name': 'Dockerfile' }), rawEntry('Dockerfile', '0', 'FROM scratch\n'), END]);
    const read = await readContext(context);
    expect(read.ok ? '' : read.error.message).toMatch(/tar extension this lab does not read \(GNU\.sparse\.major\)/);
  });

  it('refuses what is not a tar', async () => {
    expect((await readContext(Buffer.from('not a tar at all'.repeat(64)))).ok).toBe(false);
  });

  it('refuses compressed contexts', async () => {
    const read = await readContext(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));
    expect(read.ok ? '' : read.error.message).toMatch(/compressed/);
  });

  // The first edition appended its Dockerfile to the learner's bytes: a pending header at the end of
  // the learner's tar then applied to the gateway's entry in the engine's reader.
  it.each([
    ['a pending PAX header', paxEntry({ path: 'Dockerfile', size: '0' })],
    ['a pending GNU long name', rawEntry('././@LongLink', 'L', 'Dockerfile\0')],
  ])('drops %s: the tar we write holds only our own headers', async (_what, pending) => {
    const context = Buffer.concat([rawEntry('Dockerfile', '0', 'FROM scratch\n'), pending, END]);
    const read = await readContext(context);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const written = writeContext(read.value, 'FROM stagecraft/runtime\n');
    const entries = await unpack(written.stream);
    expect(entries.map((e) => [e.name, e.data?.toString()])).toEqual([['Dockerfile', 'FROM scratch\n'], [written.name, 'FROM stagecraft/runtime\n']]);
  });

  it('refuses a Dockerfile that is not a plain file', async () => {
    const read = await readContext(await packed([{ name: 'real', data: 'FROM scratch' }, { name: 'Dockerfile', type: 'symlink', linkname: 'real' }]));
    expect(read.ok && dockerfileIn(read.value, 'Dockerfile')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/plain file/) } });
    expect(read.ok && dockerfileIn(read.value, 'nope')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/Cannot locate specified Dockerfile: nope/) } });
  });
});
