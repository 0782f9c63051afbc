// Architecture rules from DESIGN.md, checked on the import graph: browser code never imports the
// server; a server concern imports another only through its index.ts, and only along the edges of
// ALLOWED (the README's architecture section shows the same table); no file imports itself back
// through others; only src/schemas crosses over.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONCERNS = ['http', 'terminal', 'sandbox', 'grading', 'store', 'dockerfile'];

/** Which server folders each may import (besides src/schemas). main.ts and cli.ts compose them all. */
const ALLOWED: Record<string, string[]> = {
  http: ['terminal', 'sandbox', 'grading', 'store', 'config.ts', 'read-capped.ts'],
  terminal: ['sandbox'],
  sandbox: ['grading', 'store', 'dockerfile', 'read-capped.ts'],
  grading: ['dockerfile'],
  store: [],
  dockerfile: [],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.(ts|astro|mjs)$/.test(d.name))
    .map((d) => path.relative(ROOT, path.join(d.parentPath, d.name)));
}

/** Relative imports of a file, resolved to paths from the project root. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((m) => m[1] ?? m[2]!).filter((s) => s.startsWith('.'));
  return specifiers.map((s) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), s)));
}

describe('import boundaries', () => {
  it('browser code (src/) never imports server/', () => {
    const offenders = sourceFiles('src').flatMap((file) => importsOf(file).filter((i) => i.startsWith('server')).map((i) => `${file} -> ${i}`));
    expect(offenders).toEqual([]);
  });

  it('a server concern reaches another only through its index.ts', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles('server')) {
      const own = file.split(path.sep)[1];
      for (const target of importsOf(file)) {
        const [top, concern, ...rest] = target.split(path.sep);
        if (top !== 'server' || !CONCERNS.includes(concern!) || concern === own) continue;
        if (rest.join('/') !== 'index.ts') offenders.push(`${file} -> ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('server folders import each other only along the allowed edges', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles('server').filter((f) => !f.endsWith('.test.ts'))) {
      const own = file.split(path.sep)[1]!;
      if (!(own in ALLOWED)) continue; // main.ts, cli.ts, config.ts
      for (const target of importsOf(file)) {
        const [top, folder] = target.split(path.sep);
        if (top === 'server' && folder !== own && !ALLOWED[own]!.includes(folder!)) offenders.push(`${file} -> ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('no file of the server imports itself back through others (type imports count)', () => {
    const files = sourceFiles('server').filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const known = new Set(files);
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => known.has(i))]));
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual(['a -> b -> c -> a']);
  });

  it('the server imports from src/ only the shared schemas', () => {
    const offenders = sourceFiles('server').flatMap((file) => importsOf(file)
      .filter((i) => i.startsWith(`src${path.sep}`) && !i.startsWith(path.join('src', 'schemas')))
      .map((i) => `${file} -> ${i}`));
    expect(offenders).toEqual([]);
  });

  it('src/schemas imports nothing but zod and its own files (its tests may also import vitest)', () => {
    for (const file of sourceFiles('src/schemas').filter((f) => !f.endsWith('.test.ts'))) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const bare = [...text.matchAll(/from\s*['"]([^'".][^'"]*)['"]/g)].map((m) => m[1]);
      expect(bare.every((b) => b === 'zod'), file).toBe(true);
      expect(importsOf(file).every((i) => i.startsWith(path.join('src', 'schemas'))), file).toBe(true);
    }
  });
});

/** Every cycle of the import graph, each once, as "a -> b -> a" (depth-first, three colours). */
function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}
