// Sealing of secrets a person must be shown again (a learner's resume code): AES-256-GCM under a key
// kept in a file beside the database, so a copied database file alone still hands out nothing.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';

export interface Sealer {
  seal(text: string): string;
  /** The text, or undefined when it was sealed under another key (a database restored without its key file). */
  open(sealed: string): string | undefined;
}

/** The key in `keyFile`, made on first use (readable by the server's user only). */
export function readOrCreateKey(keyFile: string): Buffer {
  try {
    // 'wx': of two processes opening the store at once, one writes and the other reads the same key.
    fs.writeFileSync(keyFile, randomBytes(32), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = fs.readFileSync(keyFile);
  if (key.length !== 32) throw new Error(`${keyFile} is not a 32-byte key`);
  return key;
}

export function sealer(key: Buffer): Sealer {
  return {
    seal(text) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')).join('.');
    },
    open(sealed) {
      const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
      if (!iv || !tag || !body) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        return undefined; // another key's seal, or a damaged one: nothing to show
      }
    },
  };
}
