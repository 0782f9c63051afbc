// Architecture rules from DESIGN.md, checked on the import graph: browser code never imports the
// server; a server concern imports another only through its index.ts; only src/schemas crosses over.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONCERNS = ['http', 'terminal', 'sandbox', 'grading', 'store', 'dockerfile'];

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

  it('the server imports from src/ only the shared schemas', () => {
    const offenders = sourceFiles('server').flatMap((file) => importsOf(file)
      .filter((i) => i.startsWith(`src${path.sep}`) && !i.startsWith(path.join('src', 'schemas')))
      .map((i) => `${file} -> ${i}`));
    expect(offenders).toEqual([]);
  });

  it('src/schemas imports nothing but zod and its own files', () => {
    for (const file of sourceFiles('src/schemas')) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const bare = [...text.matchAll(/from\s*['"]([^'".][^'"]*)['"]/g)].map((m) => m[1]);
      expect(bare.every((b) => b === 'zod'), file).toBe(true);
      expect(importsOf(file).every((i) => i.startsWith(path.join('src', 'schemas'))), file).toBe(true);
    }
  });
});
