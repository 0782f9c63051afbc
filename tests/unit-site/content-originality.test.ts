// Lessons are written in our own words: no run of 8 or more consecutive words of a seed
// document's prose may appear anywhere in content/ (facts, figures and commands may).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const RUN = 8;
const ROOT = new URL('../../', import.meta.url).pathname;
const SEEDS = join(ROOT, '../shared/seeds');
const CONTENT = join(ROOT, 'content');

/** Prose of a seed: code blocks removed, since commands and code carry over by design. */
const prose = (text: string) => text.replace(/```[\s\S]*?```/g, ' ');
const words = (text: string) => text.toLowerCase().match(/[a-z0-9]+(?:['’][a-z0-9]+)*/g) ?? [];

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && ext.test(d.name))
    .map((d) => join(d.parentPath, d.name));
}

/** Every run of RUN consecutive words of `text`, joined by spaces. */
function runs(list: string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + RUN <= list.length; i++) out.add(list.slice(i, i + RUN).join(' '));
  return out;
}

// The seeds live beside the project (../shared/seeds), not in it: a clone elsewhere skips this suite.
describe.skipIf(!existsSync(SEEDS))('content is written in our own words', () => {
  const seedRuns = new Map<string, string>();
  // A skipped suite's body still runs while tests are collected: read the seeds only when they are there.
  for (const seed of existsSync(SEEDS) ? files(SEEDS, /\.txt$/) : []) {
    for (const run of runs(words(prose(readFileSync(seed, 'utf8'))))) seedRuns.set(run, seed);
  }

  it('found seed prose to compare with', () => {
    expect(seedRuns.size).toBeGreaterThan(0);
  });

  for (const file of files(CONTENT, /\.mdx?$/)) {
    it(`${file.slice(ROOT.length)} shares no ${RUN}-word run with a seed`, () => {
      const copied = [...runs(words(readFileSync(file, 'utf8')))].filter((run) => seedRuns.has(run));
      expect(copied).toEqual([]);
    });
  }
});
