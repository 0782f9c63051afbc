// Each lesson's checks, read from lessons/<slug>/checks.ts at build time and validated, so a broken
// checks file fails the site build with the file and field. Only ids and titles reach the page.
import { checksFor, LessonChecks, type Prediction } from '../schemas/checks.ts';
import type { Quantity } from '../schemas/measurement.ts';
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

/** slug → its blanks (learner.measured checks) by check id: the label and what is typed. */
export const lessonBlanks: Record<string, Record<string, { label: string; quantity: Quantity }>> = Object.fromEntries(parsed.map(([slug, lesson]) =>
  [slug, Object.fromEntries(checksFor(lesson.checks, activeProfileName).flatMap((c) => (c.kind === 'learner.measured' ? [[c.id, { label: c.label, quantity: c.quantity }]] : [])))]));

/** slug → its predictions by id. */
export const lessonPredictions: Record<string, Record<string, Prediction>> = Object.fromEntries(parsed.map(([slug, lesson]) =>
  [slug, Object.fromEntries((lesson.predictions ?? []).map((p) => [p.id, p]))]));
