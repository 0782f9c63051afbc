// A typist for the benches: a key every so often, each echo timed.
import { performance } from 'node:perf_hooks';

export const KEY_EVERY_MS = 200;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Types one key and times its echo; erases it after. Undefined when no echo came within 5 s. */
export async function echo(write: (s: string) => void, output: () => string): Promise<number | undefined> {
  const from = output().length;
  const t = performance.now();
  write('a');
  while (!output().slice(from).includes('a')) {
    if (performance.now() - t > 5000) return undefined;
    await sleep(1);
  }
  const took = performance.now() - t;
  write('\x7f');
  return took;
}

/** Types a key every KEY_EVERY_MS until the deadline; each echo goes to `seen` with when it was
 * typed; returns the echo times and how many were lost. */
export async function typist(write: (s: string) => void, output: () => string, deadline: number, seen?: (at: number, ms: number) => void) {
  const echoes: number[] = [];
  let lost = 0;
  await sleep(Math.random() * KEY_EVERY_MS); // typists do not press keys in lockstep
  while (performance.now() < deadline) {
    const at = performance.now();
    const took = await echo(write, output);
    if (took === undefined) lost++;
    else {
      echoes.push(took);
      seen?.(at, took);
    }
    await sleep(KEY_EVERY_MS);
  }
  return { echoes, lost };
}
