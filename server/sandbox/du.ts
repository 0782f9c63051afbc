// `du -s` of many folders by one process: how the disk watcher weighs containers, volumes and
// homes, and how image layers are counted in files.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DuResult {
  /** Bytes (-b) or files (--inodes) of each folder measured. */
  sizes: Map<string, number>;
  /** Why du failed, when it was not only a folder that vanished meanwhile. */
  failure?: string;
}

export async function du(folders: string[], unit: '-b' | '--inodes'): Promise<DuResult> {
  const sizes = new Map<string, number>();
  if (folders.length === 0) return { sizes };
  let stdout: string;
  let failure: string | undefined;
  try {
    ({ stdout } = await run('du', ['-s', unit, '--', ...folders], { timeout: 30_000, maxBuffer: 4 * 1024 ** 2 }));
  } catch (error) {
    // du exits non-zero when a folder vanished meanwhile (a container removed since it was listed):
    // what it measured is still good, and the next look measures again.
    const { stdout: measured = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    stdout = measured;
    const vanished = stderr.split('\n').filter(Boolean).every((line) => /No such file or directory/.test(line));
    if (!vanished) failure = (error as Error).message.split('\n')[0];
  }
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) sizes.set(line.slice(tab + 1), Number(line.slice(0, tab)));
  }
  return { sizes, failure };
}
