// What the HTTP API accepts: every request body and query, with the sentence a client reads when
// one is wrong. Strict: a field the API does not take is refused, not ignored. The server checks
// with these before anything is looked up or stored.
import { z } from 'zod';

/** A field named in a message: its zod issue says which rule it broke, in the learner's words. */
const text = (min: number, max: number, sentence: string) => z.string(sentence).trim().min(min, sentence).max(max, sentence);

/** POST /api/instructor/login */
export const SignInBody = z.strictObject({
  name: z.string('a name is needed').max(200, 'a name is at most 200 characters'),
  password: z.string('a password is needed').max(1024, 'a password is at most 1024 characters'),
});

/** POST /api/join */
export const JoinBody = z.strictObject({
  code: z.string('the class code is needed').trim().max(64, 'no class has this code: check it with your instructor'),
  displayName: text(1, 60, 'a display name of 1 to 60 characters is needed'),
});

/** POST /api/resume */
export const ResumeBody = z.strictObject({
  resumeCode: z.string('a resume code is needed').trim().max(64, 'this resume code is not known'),
});

/** POST /api/classes */
export const NewClassBody = z.strictObject({ title: text(1, 120, 'a title of 1 to 120 characters is needed') });

/** POST /api/classes/:id/regrade */
export const RegradeBody = z.strictObject({
  lesson: z.string('no such lesson with checks'),
  /** How many learners the instructor confirmed it would touch; refused if the class now has another number. */
  learners: z.number('learners is the number you confirmed').int('learners is the number you confirmed').min(0, 'learners is the number you confirmed').optional(),
});

/** POST /api/classes/:id/overrides (the points' upper bound is the lesson's, checked by the route). */
export const OverrideBody = z.strictObject({
  learner: z.string('no such learner in this class'),
  lesson: z.string('no such lesson with checks'),
  points: z.number('points must be a whole number').int('points must be a whole number').min(0, 'points must be a whole number from 0'),
  /** Why the points changed; kept in the audit trail. Blank (spaces only) counts as none. */
  reason: z.string('a reason is needed: write why the points change; it stays in the audit trail')
    .trim().min(1, 'a reason is needed: write why the points change; it stays in the audit trail').max(500, 'a reason is at most 500 characters'),
});

/** POST /api/classes/:id/comments: a note on one gradebook cell. */
export const CommentBody = z.strictObject({
  learner: z.string('no such learner in this class'),
  lesson: z.string('no such lesson with checks'),
  /** The note, 1 to 1000 characters; blank (spaces only) counts as none. */
  text: z.string('a comment is needed: write it, or press Cancel').trim().min(1, 'a comment is needed: write it, or press Cancel').max(1000, 'a comment is at most 1000 characters'),
});

/** POST /api/lessons/:lesson/files: the starting files, or (reset) the lesson's folder afresh. */
export const LessonFilesBody = z.strictObject({ reset: z.boolean('reset is true or false').optional() });

/** POST /api/lessons/:lesson/predictions: the choice made for one of the lesson's questions (ids checked by the route). */
export const PredictionBody = z.strictObject({
  question: z.string('the question is needed').max(64, 'no such question in this lesson'),
  choice: z.string('a choice is needed: pick one of the answers').max(64, 'no such answer to this question'),
});

/** POST /api/lessons/:lesson/measurements: a figure typed in one of the lesson's blanks. */
export const MeasurementBody = z.strictObject({
  check: z.string('the blank is needed').max(64, 'no such blank in this lesson'),
  typed: z.string('a figure is needed').max(40, 'a figure is at most 40 characters'),
});

/** GET /api/images/layers?image=a&image=b: at most four names, each as Docker would take it. */
export const LayersQuery = z.strictObject({
  image: z.array(z.string().min(1).max(255, 'an image name is at most 255 characters')).max(4, 'at most 4 images at once'),
});

/** The instructor's read-only terminal view: /ws/watch?class=1&learner=… */
export const WatchQuery = z.strictObject({
  class: z.coerce.number().int().positive(),
  learner: z.string().regex(/^[a-f0-9]{20}$/),
});

/** A display name as a learner or an instructor gives it (joining, renaming). */
const DisplayName = text(1, 60, 'a display name of 1 to 60 characters is needed');
/** A learner of the class, by the id the gradebook gives each row. */
const Learner = z.string('no such learner in this class').max(64, 'no such learner in this class');

/** POST /api/classes/:id/roster/rename */
export const RenameBody = z.strictObject({ learner: Learner, displayName: DisplayName });

/** POST /api/classes/:id/roster/remove and …/restore */
export const LearnerBody = z.strictObject({ learner: Learner });

/** POST /api/classes/:id/roster/merge: `learner`'s entry goes into `into`'s, which stays. */
export const MergeBody = z.strictObject({ learner: Learner, into: z.string('choose the entry to keep').max(64, 'choose the entry to keep') });

/** POST /api/classes/:id/joining: open (true) or closed (false) to new joins. */
export const JoiningBody = z.strictObject({ open: z.boolean('open is true or false') });

/** POST /api/classes/:id/archive: archived (read-only, out of the default list) or not. */
export const ArchiveBody = z.strictObject({ archived: z.boolean('archived is true or false') });
