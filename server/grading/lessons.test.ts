import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLessons, validateLesson, LessonError } from './lessons.ts';

const valid = { lesson: 'multi-stage', workdir: 'hello', checks: [{ id: 'smaller', title: 'Smaller', kind: 'image.smallerThan', image: 'hello-world-small', than: 'hello-world', ratio: 10, hints: ['h'] }] };
const message = (input: unknown, slug = 'multi-stage') => {
  try {
    validateLesson(`lessons/${slug}/checks.ts`, slug, input);
    return 'valid';
  } catch (error) {
    expect(error).toBeInstanceOf(LessonError);
    return (error as Error).message;
  }
};

describe('checks files', () => {
  it('accepts a valid file and hashes each check', () => {
    const lab = validateLesson('lessons/multi-stage/checks.ts', 'multi-stage', valid);
    expect(lab.specHashes.smaller).toMatch(/^[a-f0-9]{16}$/);
  });

  // The wording a lesson author sees; pinned so it stays this helpful.
  it.each([
    ['a ratio given as text', { ...valid, checks: [{ ...valid.checks[0], ratio: '40x' }] },
      'lessons/multi-stage/checks.ts: checks[0].ratio: Invalid input: expected number, received string, got "40x"'],
    ['a ratio under 1', { ...valid, checks: [{ ...valid.checks[0], ratio: 0.5 }] },
      'lessons/multi-stage/checks.ts: checks[0].ratio: Too small: expected number to be >=1, got 0.5'],
    ['an unknown kind', { ...valid, checks: [{ ...valid.checks[0], kind: 'image.tiny' }] },
      'lessons/multi-stage/checks.ts: checks[0].kind: Invalid discriminator value. Expected \'image.exists\' | \'container.runs\' | \'image.program\' | \'image.smallerThan\' | \'image.maxSize\' | \'image.lacks\' | \'image.has\' | \'dockerfile.stages\' | \'dockerfile.namedStage\' | \'dockerfile.copyFrom\' | \'dockerfile.execCmd\' | \'cli.answered\' | \'learner.measured\', got "image.tiny"'],
    ['a working folder outside the home folder', { ...valid, workdir: '../etc' },
      'lessons/multi-stage/checks.ts: workdir: a path inside the home folder, such as hello/Dockerfile, got "../etc"'],
    ['an unknown field', { ...valid, checks: [{ ...valid.checks[0], weight: 3 }] },
      'lessons/multi-stage/checks.ts: checks[0]: Unrecognized key: "weight", got {"id":"smaller","title":"Smaller","kind":"image.smallerThan","image":"hello-world-small","than":"hello-world","ratio":10,"hints":["h"],"weight":3}'],
    ['a check that needs a later one', { ...valid, checks: [{ ...valid.checks[0], needs: ['later'] }] },
      expect.stringContaining('lessons/multi-stage/checks.ts: checks: a check may need only checks listed before it')],
    ['duplicate ids', { ...valid, checks: [valid.checks[0], valid.checks[0]] },
      expect.stringContaining('lessons/multi-stage/checks.ts: checks: check ids must be unique')],
  ])('names the file, field, expectation and value for %s', (_what, input, expected) => {
    expect(message(input)).toEqual(expected);
  });

  it('refuses a file whose lesson is not its folder', () => {
    expect(message(valid, 'cmake')).toBe('lessons/cmake/checks.ts: lesson: expected "cmake" (its folder), got "multi-stage"');
  });

  it('loads and validates every lesson of the course', async () => {
    const labs = await loadLessons(path.resolve(import.meta.dirname, '../..'));
    expect(labs.get('single-stage')?.checks.length).toBeGreaterThan(0);
  });

  it('keeps a check id once per profile: the same id may serve two profiles, never twice in one', () => {
    const offlineOnly = { ...valid.checks[0], profiles: ['offline'] };
    const docsOnly = { ...valid.checks[0], title: 'Smaller (Alpine)', profiles: ['docs'] };
    expect(validateLesson('lessons/multi-stage/checks.ts', 'multi-stage', { ...valid, checks: [offlineOnly, docsOnly] }, 'docs').checks.map((c) => c.title)).toEqual(['Smaller (Alpine)']);
    expect(message({ ...valid, checks: [valid.checks[0], docsOnly] })).toEqual(expect.stringContaining('check ids must be unique (within each profile)'));
  });

  // Issue 16: Alpine keeps apk in every image made from it, so the docs profile never asks for its absence.
  it('asks for no package tool only where the profile\'s runtime image has none', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const lacks = async (profile: 'offline' | 'docs') => {
      const check = (await loadLessons(root, profile)).get('why-small')!.checks.find((c) => c.id === 'nothing-to-attack')!;
      return { title: check.title, paths: check.kind === 'image.lacks' ? check.paths : [] };
    };
    expect(await lacks('offline')).toEqual({ title: expect.stringContaining('no package tools'), paths: expect.arrayContaining(['/usr/bin/apt']) });
    const docs = await lacks('docs');
    expect(docs.title).not.toContain('no package tools');
    expect(docs.title).toContain('apk');
    expect(docs.paths.some((p) => /apk|apt/.test(p))).toBe(false);
  });
});
