// Loads every lesson's checks (lessons/<slug>/checks.ts) and validates them, so a mistake in a
// lesson stops the server at start-up with the file, the field, what was expected and what was got.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checksFor, LessonChecks, type Check, type Prediction } from '../../src/schemas/checks.ts';
import type { ProfileName } from '../../src/schemas/profile.ts';
import { describeIssues } from '../../src/schemas/issues.ts';

export interface LessonLab {
  slug: string;
  checks: Check[];
  /** Hash of each check's spec, stored with every attempt so a changed check is told apart. */
  specHashes: Record<string, string>;
  /** The lesson's folder under the learner's home, e.g. "hello". */
  workdir: string;
  /** What the lesson asks the learner to predict (kept, never graded). */
  predictions: Prediction[];
}

export class LessonError extends Error {}

/** The lesson's checks for `profile` (a check may be for some image profiles only). */
export function validateLesson(file: string, slug: string, input: unknown, profile: ProfileName = 'offline'): LessonLab {
  const parsed = LessonChecks.safeParse(input);
  if (!parsed.success) throw new LessonError(describeIssues(file, parsed.error, input));
  if (parsed.data.lesson !== slug) throw new LessonError(`${file}: lesson: expected "${slug}" (its folder), got ${JSON.stringify(parsed.data.lesson)}`);
  const checks = checksFor(parsed.data.checks, profile);
  const specHashes = Object.fromEntries(checks.map((check) =>
    [check.id, createHash('sha256').update(JSON.stringify(check)).digest('hex').slice(0, 16)]));
  return { slug, checks, specHashes, workdir: parsed.data.workdir, predictions: parsed.data.predictions ?? [] };
}

/** Every lesson folder with a checks.ts, validated. */
export async function loadLessons(root: string, profile: ProfileName = 'offline'): Promise<Map<string, LessonLab>> {
  const labs = new Map<string, LessonLab>();
  const dir = path.join(root, 'lessons');
  for (const slug of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const file = path.join(dir, slug, 'checks.ts');
    if (!fs.existsSync(file)) continue;
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const exports = Object.keys(module);
    // Checks are data: one default export, a literal; anything else is a lesson bug.
    if (exports.length !== 1 || exports[0] !== 'default') throw new LessonError(`lessons/${slug}/checks.ts: must have exactly one export, a default literal; found ${exports.join(', ') || 'none'}`);
    labs.set(slug, validateLesson(`lessons/${slug}/checks.ts`, slug, module.default, profile));
  }
  return labs;
}
