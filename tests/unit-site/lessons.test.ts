// The lesson files match the UI contract's slugs and order, and the schema says why bad frontmatter fails.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Lesson } from '../../src/schemas/lesson.ts';

/** UI contract: slugs in course order. */
const CONTRACT = ['workspace', 'single-stage', 'multi-stage', 'why-small', 'cmake', 'going-further'];
const DIR = new URL('../../content/lessons/', import.meta.url);

describe('content/lessons', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.mdx'));

  it('has single-stage', () => {
    expect(files).toContain('single-stage.mdx');
  });

  for (const file of files) {
    it(`${file}: slug and order follow the UI contract`, () => {
      const slug = file.replace(/\.mdx$/, '');
      expect(CONTRACT).toContain(slug);
      const order = /^order:\s*(\d+)\s*$/m.exec(readFileSync(new URL(file, DIR), 'utf8'))?.[1];
      expect(Number(order)).toBe(CONTRACT.indexOf(slug) + 1);
    });
  }
});

describe('Lesson schema', () => {
  const good = { title: 'T', order: 2, summary: 'S', lab: 'single-stage', minutes: 15, goals: ['g'] };

  it('accepts a complete lesson', () => {
    expect(Lesson.parse(good)).toEqual(good);
  });

  it.each([
    ['order', { ...good, order: 0 }],
    ['order', { ...good, order: 1.5 }],
    ['goals', { ...good, goals: [] }],
    ['lab', { ...good, lab: 'Single Stage' }],
    ['minutes', { ...good, minutes: '15' }],
  ])('rejects a bad %s', (field, value) => {
    const result = Lesson.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });

  it('rejects unknown fields, so a typo does not pass silently', () => {
    expect(Lesson.safeParse({ ...good, minute: 3 }).success).toBe(false);
  });
});
