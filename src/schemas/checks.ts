// The checks of a lesson's lab (lessons/<slug>/checks.ts), and the results the server sends back.
// Shared by the server (which runs them) and the site (which shows titles and results).
import { z } from 'zod';
import { ProfileName } from './profile.ts';

/** A check id: lower-case words joined by hyphens, unique within its lesson, e.g. "small-image-runs". */
const CheckId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case words joined by hyphens');

/** A learner's image name as they type it, e.g. "hello-world" or "hello-cmake:latest". */
export const ImageName = z.string().regex(/^[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/, 'an image name such as hello-world');

/** A file in the learner's home folder, relative to it, e.g. "hello/Dockerfile"; never leaves it. */
const HomePath = z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+$/, 'a path inside the home folder, such as hello/Dockerfile');

/** An absolute path inside an image, e.g. "/usr/bin/gcc". */
const ImagePath = z.string().regex(/^\/[A-Za-z0-9._/+-]*$/, 'an absolute path such as /usr/bin/gcc');

const common = {
  /** Stable id; results and stored attempts refer to it. */
  id: CheckId,
  /** What the learner sees, e.g. "hello-world-small runs and prints Hello, world!". */
  title: z.string().min(1),
  /** Points for passing it (partial credit per lesson); default 1. */
  points: z.number().int().min(0).default(1),
  /** Progressive hints for a failure: the first a nudge, the last the specific fix. */
  hints: z.array(z.string().min(1)).min(1),
  /** Ids of checks of the same lesson that must pass before this one is judged; default none. */
  needs: z.array(CheckId).optional(),
  /** The image profiles this check is for (their base images differ); default every profile. */
  profiles: z.array(ProfileName).min(1).optional(),
  /** A challenge: the size of the image that passed is the learner's score, and their classes see the best. */
  scoredBySize: z.literal(true).optional(),
};

/** How a run's standard output is matched. */
export const OutputMatch = z.discriminatedUnion('match', [
  /** The whole output equals `text` (a final newline is ignored). */
  z.object({ match: z.literal('exact'), text: z.string() }).strict(),
  /** The output contains `text`. */
  z.object({ match: z.literal('contains'), text: z.string().min(1) }).strict(),
  /** The output matches the regular expression `pattern` (JavaScript syntax, multiline). */
  z.object({ match: z.literal('regex'), pattern: z.string().min(1) }).strict(),
  /** The output is exactly `count` lines, each equal to `line`. */
  z.object({ match: z.literal('lineCount'), line: z.string(), count: z.number().int().min(1) }).strict(),
]);
export type OutputMatch = z.infer<typeof OutputMatch>;

/** The learner's image with this name exists and one of their own builds made it (not a base image renamed). */
export const ImageExists = z.object({ ...common, kind: z.literal('image.exists'), /** Image to look for. */ image: ImageName }).strict();

/** Run the image (network none, read-only, time-limited) and match its output and exit code. */
export const ContainerRuns = z.object({
  ...common,
  kind: z.literal('container.runs'),
  /** Image to run. */ image: ImageName,
  /** Command instead of the image's CMD; default: the image's own. */ command: z.array(z.string()).optional(),
  /** What standard output must be. */ stdout: OutputMatch,
  /** Expected exit code; default 0. */ exitCode: z.number().int().min(0).max(255).default(0),
  /** Seconds before the run is stopped and judged a fail (the program did not finish); default 10. */ timeoutSeconds: z.number().int().min(1).max(60).default(10),
  /**
   * The program the image starts must be a compiled executable that the learner's own build made
   * (compiled in a stage, or copied from one), and run on its own it must print the same; default false.
   */ compiled: z.boolean().default(false),
}).strict();

/** The program the image starts is a compiled executable that the learner's own build made (any path, any stage). */
export const ImageProgram = z.object({ ...common, kind: z.literal('image.program'), /** Image to look into. */ image: ImageName }).strict();
/** The image is at least `ratio` times smaller than another of the learner's images, which really holds the toolchain. */
export const ImageSmallerThan = z.object({
  ...common,
  kind: z.literal('image.smallerThan'),
  /** Image that must be the smaller one, e.g. "hello-world-small". */ image: ImageName,
  /** Image it is compared with, e.g. "hello-world". */ than: ImageName,
  /** Minimum size ratio (than / image); 10 means "at least 10× smaller". */ ratio: z.number().min(1),
}).strict();

/** The image is no larger than `bytes`. */
export const ImageMaxSize = z.object({
  ...common,
  kind: z.literal('image.maxSize'),
  /** Image to measure. */ image: ImageName,
  /** Largest size allowed, in bytes. */ bytes: z.number().int().positive(),
}).strict();

/** None of these paths exist in the image's filesystem (e.g. no compiler). */
export const ImageLacks = z.object({ ...common, kind: z.literal('image.lacks'), /** Image to look into. */ image: ImageName, /** Paths that must be absent. */ paths: z.array(ImagePath).min(1) }).strict();

/** All of these paths exist in the image's filesystem. */
export const ImageHas = z.object({ ...common, kind: z.literal('image.has'), /** Image to look into. */ image: ImageName, /** Paths that must be present. */ paths: z.array(ImagePath).min(1) }).strict();

/** The build that made the image had at least this many stages (FROM lines). */
export const DockerfileStages = z.object({
  ...common,
  kind: z.literal('dockerfile.stages'),
  /** The image whose build is judged: the Dockerfile that built it, wherever it was and whatever its name. */ image: ImageName,
  /** Fewest stages accepted. */ atLeast: z.number().int().min(1),
}).strict();

/** A stage before the final one is named (`FROM … AS name`), whatever the name. */
export const DockerfileNamedStage = z.object({
  ...common,
  kind: z.literal('dockerfile.namedStage'),
  /** The image whose build is judged. */ image: ImageName,
}).strict();

/** The final stage copies files from an earlier stage (`COPY --from=` its name or number). */
export const DockerfileCopyFrom = z.object({
  ...common,
  kind: z.literal('dockerfile.copyFrom'),
  /** The image whose build is judged. */ image: ImageName,
}).strict();

/** The image's program is started in exec form: its CMD or ENTRYPOINT is a JSON list (`CMD ["./hello"]`). */
export const DockerfileExecCmd = z.object({
  ...common,
  kind: z.literal('dockerfile.execCmd'),
  /** The image whose build is judged. */ image: ImageName,
}).strict();

/** Requests of the learner's Docker CLI that the gateway records once answered (provenance, not text). */
export const AnsweredRequest = z.enum(['version', 'image-list']);
export type AnsweredRequest = z.infer<typeof AnsweredRequest>;

/** The gateway answered this request of the learner's Docker CLI (`docker version`, `docker image ls`). */
export const CliAnswered = z.object({
  ...common,
  kind: z.literal('cli.answered'),
  /** The request: `version` (docker version) or `image-list` (docker image ls, docker images). */ request: AnsweredRequest,
}).strict();

/**
 * The figure the learner typed in the lesson's blank for this check is, within `tolerance`, the real
 * one of their own images: the size of `image`, (ratio) how many times smaller `image` is than
 * `than`, or (files) how many regular files `image` holds (`find / -xdev -type f`, run in it).
 */
export const LearnerMeasured = z.object({
  ...common,
  kind: z.literal('learner.measured'),
  quantity: z.enum(['size', 'ratio', 'files']),
  /** The image measured (for a ratio, the smaller one). */ image: ImageName,
  /** For a ratio: the larger image. */ than: ImageName.optional(),
  /** Largest accepted difference, as a fraction of the real value (0.05: within 5%). */ tolerance: z.number().positive().max(1),
  /** The blank's label in the page, e.g. "Size of hello-world". */ label: z.string().min(1),
}).strict().refine((check) => (check.quantity === 'ratio') === (check.than !== undefined), { message: 'a ratio names `than`, a size does not', path: ['than'] });

export const Check = z.discriminatedUnion('kind', [
  ImageExists, ContainerRuns, ImageProgram, ImageSmallerThan, ImageMaxSize, ImageLacks, ImageHas,
  DockerfileStages, DockerfileNamedStage, DockerfileCopyFrom, DockerfileExecCmd, CliAnswered, LearnerMeasured,
]);
export type Check = z.infer<typeof Check>;
export type CheckKind = Check['kind'];

/** A question the learner answers before a failure the lesson sets up on purpose: kept, never graded. */
export const Prediction = z.object({
  id: CheckId,
  question: z.string().min(1),
  /** The choices, each with a stable id (what is stored) and its text. */
  choices: z.array(z.object({ id: CheckId, text: z.string().min(1) }).strict()).min(2),
}).strict();
export type Prediction = z.infer<typeof Prediction>;

/** A lesson's checks file. */
export const LessonChecks = z.object({
  /** The lesson's slug; must match its folder. */
  lesson: CheckId,
  /** The learner's folder for this lab, relative to their home, e.g. "hello"; starter files go there. */
  workdir: HomePath,
  /** The checks, in the order the learner sees them. */
  checks: z.array(Check).min(1),
  /** Predictions the lesson asks for (its MDX places each by id). */
  predictions: z.array(Prediction).optional(),
}).strict().refine((value) => ProfileName.options.every((profile) => {
  const ids = checksFor(value.checks, profile).map((c) => c.id);
  return new Set(ids).size === ids.length;
}), { message: 'check ids must be unique (within each profile)', path: ['checks'] })
  // A check may need only checks listed before it: no unknown ids, no cycles.
  .refine((value) => value.checks.every((check, i) => (check.needs ?? []).every((id) => value.checks.slice(0, i).some((c) => c.id === id))),
    { message: 'a check may need only checks listed before it', path: ['checks'] });
export type LessonChecks = z.infer<typeof LessonChecks>;

/** The checks that apply on `profile`, in order. */
export function checksFor<T extends { profiles?: readonly ProfileName[] }>(checks: readonly T[], profile: ProfileName): T[] {
  return checks.filter((check) => !check.profiles || check.profiles.includes(profile));
}

/** One check's verdict, as the server answers it. */
export const CheckResult = z.object({
  id: CheckId,
  title: z.string(),
  /** pass: done; fail: the learner's work is wrong; error: we could not judge (never counted against them). */
  status: z.enum(['pass', 'fail', 'error']),
  /** Points earned, and the most available. */
  points: z.number().int().min(0),
  maxPoints: z.number().int().min(0),
  /** For a failure: what was expected and what was seen. */
  expected: z.string().optional(),
  seen: z.string().optional(),
  /** For a failure: a hint, more specific on each further failed attempt. */
  hint: z.string().optional(),
  /** For an error: a stable cause code, e.g. "engine_unavailable", "timeout". */
  cause: z.string().optional(),
  /** What the judgement rests on: image id, sizes, an output excerpt (≤ 500 characters). */
  evidence: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type CheckResult = z.infer<typeof CheckResult>;
