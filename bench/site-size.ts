// JavaScript and CSS each page ships, gzip, following static and dynamic imports from its scripts:
// what loads at once, and what loads later (the terminal island, loaded when the panel is visible).
//   node bench/site-size.ts   (after `npx astro build`)
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = path.resolve(import.meta.dirname, '../dist');
const gz = (file: string) => gzipSync(fs.readFileSync(file)).length;

/** Every module a script reaches: `eager` through static imports, `lazy` through import(). */
function walk(entry: string, eager: Set<string>, lazy: Set<string>, isLazy: boolean): void {
  const into = isLazy ? lazy : eager;
  if (into.has(entry) || (isLazy && eager.has(entry))) return;
  into.add(entry);
  const text = fs.readFileSync(entry, 'utf8');
  for (const m of text.matchAll(/(?:from\s*|import\s*)["'](\.\/[^"']+\.js)["']/g)) walk(path.join(path.dirname(entry), m[1]!), eager, lazy, isLazy);
  for (const m of text.matchAll(/import\(\s*["'`](\.\/[^"'`]+\.js)["'`]\s*\)/g)) walk(path.join(path.dirname(entry), m[1]!), eager, lazy, true);
  // Stylesheets a module loads itself (xterm's), by URL.
  for (const m of text.matchAll(/["'`](\/_astro\/[^"'`]+\.css)["'`]/g)) lazy.add(path.join(DIST, m[1]!));
}

console.log('| page | JS at load (gzip) | loaded later (gzip) |\n|---|---|---|');
for (const page of ['index.html', 'lessons/single-stage/index.html', 'instructor/index.html', 'join/index.html']) {
  const html = fs.readFileSync(path.join(DIST, page), 'utf8');
  const eager = new Set<string>();
  const lazy = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+src="(\/_astro\/[^"]+)"/g)) walk(path.join(DIST, m[1]!), eager, lazy, false);
  const sum = (files: Set<string>) => [...files].filter((f) => !eager.has(f) || files === eager).reduce((total, f) => total + gz(f), 0);
  console.log(`| /${page.replace('index.html', '')} | ${(sum(eager) / 1024).toFixed(1)} KB | ${(sum(lazy) / 1024).toFixed(1)} KB |`);
}
