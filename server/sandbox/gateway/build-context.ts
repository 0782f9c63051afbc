// The build context is rebuilt, never appended to. The learner's tar is read with tar-stream (PAX
// and GNU long names resolved by the reader); only files, folders and links that stay inside the
// context are kept, and a new tar of our own is written with them and our Dockerfile. Whatever the
// learner's bytes held (a pending PAX or long-name header, sparse maps, a second end-of-archive,
// attributes), the engine reads none of it: it reads our headers only.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { refuse, type Result } from './police.ts';

export interface ContextEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  mtime: Date;
  uid: number;
  gid: number;
  linkname?: string;
  data?: Buffer;
}

const unreadable = (message: string) => refuse('context_unreadable', message, 400);

// PAX records the reader understands and we may drop; anything else (GNU.sparse.*, a vendor's
// extension) changes what an entry means in some reader, so it is refused.
const KNOWN_PAX = new Set(['path', 'linkpath', 'size', 'mtime', 'atime', 'ctime', 'uid', 'gid', 'uname', 'gname', 'comment', 'charset', 'hdrcharset']);
const DROPPED_PAX_PREFIXES = ['SCHILY.xattr.', 'LIBARCHIVE.xattr.'];

/** At most this many entries: each costs the server memory and the engine a file. */
export const MAX_CONTEXT_ENTRIES = 20_000;
/** At most this much data added by hard links turned into copies (the context itself is capped at 50 MB). */
export const MAX_EXPANDED_BYTES = 50 * 1024 ** 2;

/** Whether the context is compressed (the engine would unpack gzip, bzip2 or xz itself). */
export function isCompressed(context: Buffer): boolean {
  return (context[0] === 0x1f && context[1] === 0x8b) || context.subarray(0, 3).toString('latin1') === 'BZh'
    || context.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
}

/** The learner's tar, read and checked: every entry a file, folder or link inside the context. */
export async function readContext(context: Buffer): Promise<Result<ContextEntry[]>> {
  if (isCompressed(context)) return unreadable('compressed build contexts are not accepted in this lab: send a plain folder');
  const entries = new Map<string, ContextEntry>();
  let expanded = 0;
  const extract = tar.extract();
  Readable.from([completeCliTail(context)]).pipe(extract);
  try {
    for await (const entry of extract) {
      const header = (entry as unknown as { header: tar.Header }).header;
      const data = await collect(entry as AsyncIterable<Buffer>);
      const problem = checkPax(header.pax as Record<string, string> | undefined);
      if (problem) return unreadable(`${header.name} ${problem}`);
      const name = normalName(header.name);
      if (typeof name !== 'string') return unreadable(`the build context holds ${header.name}, ${name.problem}`);
      if (name === '') continue; // the context's own root folder
      if (entries.has(name)) return unreadable(`the build context holds ${name} twice`);
      if (entries.size >= MAX_CONTEXT_ENTRIES) return unreadable(`the build context holds more than ${MAX_CONTEXT_ENTRIES} files: add a .dockerignore`);
      const base = { name, mode: (header.mode ?? 0o644) & 0o777, mtime: header.mtime ?? new Date(0), uid: header.uid ?? 0, gid: header.gid ?? 0 };
      if (header.type === 'file' || header.type === 'contiguous-file') entries.set(name, { ...base, type: 'file', data });
      else if (header.type === 'directory') entries.set(name, { ...base, type: 'directory' });
      else if (header.type === 'symlink') {
        const target = header.linkname ?? '';
        if (!symlinkStaysInside(name, target)) return unreadable(`${name} is a link to ${target}, outside the folder you build from: copy the file in instead`);
        entries.set(name, { ...base, type: 'symlink', linkname: target });
      } else if (header.type === 'link') {
        // A hard link becomes a copy of the file it names, which must be in the context already.
        const target = normalName(header.linkname ?? '');
        const original = typeof target === 'string' ? entries.get(target) : undefined;
        if (!original || original.type !== 'file') return unreadable(`${name} is a hard link to ${header.linkname}, which is not a file in the build context`);
        entries.set(name, { ...base, type: 'file', data: original.data });
        // Each link is written out as a copy: bound what the copies add up to, not only what was sent.
        expanded += original.data?.length ?? 0;
        if (expanded > MAX_EXPANDED_BYTES) return unreadable(`the build context's hard links would copy more than ${MAX_EXPANDED_BYTES / 1024 ** 2} MB: send the files once`);
      } else {
        return unreadable(`the build context holds ${name}, a ${header.type}: only files, folders and links can be sent`);
      }
    }
  } catch {
    return unreadable('the build context is not a readable tar archive');
  }
  return { ok: true, value: [...entries.values()] };
}

/**
 * `docker build -f - .` (CLI 20.10 and later) sends a tar that stops right after its last file's
 * data: no padding, no end-of-archive blocks. The engine reads it; so do we, by padding exactly that
 * tail. A tar whose last entry is really cut short (its data ends before its size says) stays as it
 * is, and the reader refuses it.
 */
function completeCliTail(context: Buffer): Buffer {
  if (context.length % BLOCK === 0) return context;
  for (let at = 0; at + BLOCK <= context.length;) {
    const sizeField = context.subarray(at + 124, at + 136);
    if (context.subarray(at, at + BLOCK).every((byte) => byte === 0) || (sizeField[0]! & 0x80) !== 0) return context;
    const size = Number.parseInt(sizeField.toString('latin1').replace(/[\0 ]+$/, '').trim() || '0', 8);
    if (!Number.isSafeInteger(size)) return context;
    const dataEnd = at + BLOCK + size;
    if (dataEnd === context.length) return Buffer.concat([context, Buffer.alloc(BLOCK - (dataEnd % BLOCK) + 2 * BLOCK)]);
    at = at + BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return context;
}

const BLOCK = 512;

/** The learner's Dockerfile, by the name the build asked for. */
export function dockerfileIn(entries: ContextEntry[], requested: string): Result<string> {
  const name = normalName(requested);
  const entry = typeof name === 'string' ? entries.find((e) => e.name === name) : undefined;
  if (!entry) return unreadable(`Cannot locate specified Dockerfile: ${requested}`);
  if (entry.type !== 'file') return unreadable(`the Dockerfile ${requested} must be a plain file, not a ${entry.type}`);
  return { ok: true, value: (entry.data ?? Buffer.alloc(0)).toString('utf8') };
}

/** A new tar of the learner's entries plus our Dockerfile under a name of our own. */
export function writeContext(entries: ContextEntry[], dockerfile: string): { name: string; stream: Readable } {
  const name = `.stagecraft-dockerfile-${randomBytes(6).toString('hex')}`;
  const pack = tar.pack();
  for (const entry of entries) {
    const header = { name: entry.name, type: entry.type, mode: entry.mode, mtime: entry.mtime, uid: entry.uid, gid: entry.gid };
    if (entry.type === 'symlink') pack.entry({ ...header, linkname: entry.linkname });
    else if (entry.type === 'directory') pack.entry(header);
    else pack.entry(header, entry.data ?? Buffer.alloc(0));
  }
  pack.entry({ name, type: 'file', mode: 0o644, mtime: new Date() }, dockerfile);
  pack.finalize();
  return { name, stream: pack as unknown as Readable };
}

function checkPax(pax: Record<string, string> | null | undefined): string | undefined {
  for (const key of Object.keys(pax ?? {})) {
    if (KNOWN_PAX.has(key) || DROPPED_PAX_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    return `uses a tar extension this lab does not read (${key}): send a plain folder`;
  }
  return undefined;
}

/** The entry's path inside the context, or why it cannot be one. */
function normalName(raw: string): string | { problem: string } {
  if (raw.includes('\0')) return { problem: 'a name with a NUL byte' };
  if (raw.startsWith('/')) return { problem: 'an absolute path' };
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return { problem: 'a path that leaves the context' };
  const name = parts.join('/');
  if (name.length > 4096) return { problem: 'a path longer than 4096 characters' };
  return name;
}

function symlinkStaysInside(name: string, target: string): boolean {
  if (target === '' || target.startsWith('/') || target.includes('\0')) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(name), target));
  return resolved !== '..' && !resolved.startsWith('../');
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
