// Operator commands: `node server/cli.ts instructor add NAME` (the password is read from standard
// input, so it never sits in the shell history), `node server/cli.ts backup FILE`.
import fs from 'node:fs';
import path from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { ConfigError, readConfig } from './config.ts';
import { openStore } from './store/index.ts';

const [command, sub, arg] = process.argv.slice(2);

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stdout.write('Password (input hidden is not supported here; type it and press Enter): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split('\n')[0]!.replace(/\r$/, '');
}

try {
  const config = readConfig();
  const file = path.join(config.dataDir, 'stagecraft.db');
  if (command === 'instructor' && sub === 'add' && arg) {
    const password = await readPassword();
    if (password.length < 10) throw new ConfigError('choose a password of at least 10 characters.');
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const store = openStore(file);
    store.ensureInstructor(arg, password);
    store.close();
    console.log(`Instructor "${arg}" is ready: sign in at /instructor/.`);
  } else if (command === 'backup' && sub) {
    // SQLite's online backup API: a consistent copy while the server keeps writing (WAL mode).
    const db = new DatabaseSync(file);
    await backup(db, path.resolve(sub));
    db.close();
    // The key that seals resume codes goes along: without it a restored store still lets learners
    // resume, but can no longer show them their code.
    if (fs.existsSync(`${file}.key`)) fs.copyFileSync(`${file}.key`, `${path.resolve(sub)}.key`);
    console.log(`Backed up ${file} (and its key file) to ${path.resolve(sub)}.`);
  } else {
    console.error('usage: node server/cli.ts instructor add NAME   (password on standard input)\n       node server/cli.ts backup FILE');
    process.exit(2);
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Stagecraft: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
