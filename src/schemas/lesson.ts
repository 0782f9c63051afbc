// Lesson frontmatter: the schema of one MDX file in content/lessons/ (the `lessons` content collection).
import { z } from 'zod';

/** A lab slug: lower-case words joined by single hyphens, e.g. "single-stage". */
export const LabSlug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a slug such as "single-stage" (a-z, 0-9, single hyphens)');
export type LabSlug = z.infer<typeof LabSlug>;

/**
 * Frontmatter of a lesson. The lesson's slug is its file name (content/lessons/<slug>.mdx),
 * not a field, so a page URL cannot drift from the file that holds it.
 */
export const Lesson = z
  .object({
    /** Title shown on the course list and as the lesson's heading, e.g. "One stage: hello world in C". No default. */
    title: z.string().min(1),
    /** Position in the course, 1 for the first lesson; whole number ≥ 1, unique across lessons. No default. */
    order: z.number().int().min(1),
    /** One or two sentences for the course list: what the learner will do. No default. */
    summary: z.string().min(1),
    /** The lab behind the lesson: the folder name under lessons/ (starter files, checks). No default. */
    lab: LabSlug,
    /** Estimated time to finish the lesson, in whole minutes (≥ 1). No default. */
    minutes: z.number().int().min(1),
    /** What the learner can do after the lesson, one short sentence each; at least one. No default. */
    goals: z.array(z.string().min(1)).min(1),
  })
  .strict();
export type Lesson = z.infer<typeof Lesson>;
