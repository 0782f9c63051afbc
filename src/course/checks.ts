// Each lesson's checks, read from lessons/<slug>/checks.ts at build time and validated, so a broken
// checks file fails the site build with the file and field. Only ids and titles reach the page.
import { checksFor, LessonChecks } from '../schemas/checks.ts';
import { activeProfileName } from '../components/profile/active.ts';
import { describeIssues } from '../schemas/issues.ts';

const modules = import.meta.glob<{ default: unknown }>('../../lessons/*/checks.ts', { eager: true });

export interface CheckTitle { id: string; title: string }

const parsed = Object.entries(modules).map(([file, module]) => {
  const slug = file.split('/').at(-2)!;
  const lesson = LessonChecks.safeParse(module.default);
  if (!lesson.success) throw new Error(describeIssues(`lessons/${slug}/checks.ts`, lesson.error, module.default));
  return [slug, lesson.data] as const;
});

/** slug → the titles of its checks, in order. */
export const lessonChecks: Record<string, CheckTitle[]> = Object.fromEntries(parsed.map(([slug, lesson]) =>
  [slug, checksFor(lesson.checks, activeProfileName).map(({ id, title }) => ({ id, title }))]));

/** slug → the lesson's folder under the learner's home (where its starting files go). */
export const lessonFolders: Record<string, string> = Object.fromEntries(parsed.map(([slug, lesson]) => [slug, lesson.workdir]));
