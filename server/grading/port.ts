// What grading needs from the sandbox, for one learner. Grading never sees engine names or sockets:
// it asks for the learner's image by the name the learner gave it.
import { createHash } from 'node:crypto';
import type { AnsweredRequest } from '../../src/schemas/checks.ts';

export interface LearnerImage {
  /** The engine's image id. */
  id: string;
  /** Size in bytes, as `docker image ls` shows it. */
  size: number;
}

export interface RunOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** The run was stopped at its time limit. */
  timedOut: boolean;
  /** The engine refused to start the container (its program cannot be executed): its words, our paths removed. */
  startError?: string;
}

/** How one of the learner's builds made an image, as the gateway recorded it. */
export interface Provenance {
  /** The Dockerfile's name in the build context (`-f`), e.g. Dockerfile.multi. */
  dockerfileName: string;
  /** The Dockerfile the engine read: the gateway's canonical copy. Image names in FROM lines are the engine's. */
  dockerfile: string;
  /** Each stage, with its base in the learner's own words (an image, an earlier stage, scratch). */
  stages: { index: number; name?: string; base: string }[];
  /** The stage built with --target, when one was named: the image is that stage's. */
  target?: string;
  /** Tags asked for at build time, and given later with docker tag. */
  tags: string[];
  laterTags: string[];
  outcome: 'built' | 'failed' | 'interrupted' | 'running';
  /** What the learner brought in the build folder the build was sent. */
  folder: FolderFacts;
  /** The engine's image id of each stage, by index, as the build left it (empty when not recorded). */
  stageImages: string[];
  /** The end of the build's output, in the learner's names. */
  log: string;
}

export interface FolderFacts {
  /** Each file by programDigest() of its bytes (the first path with those bytes). */
  files: Record<string, string>;
  /** Text files that name a compiler or build tool: a RUN that names one of them compiles. */
  scripts: string[];
  /** Prebuilt object code (ELF objects, static archives) a compile could link in as it is; absent in records made before it was kept. */
  objects?: string[];
  /** ELF files by their GNU build id (which strip keeps); absent in records made before it was kept. */
  buildIds?: Record<string, string>;
}

/** A program's file as the image holds it: its bytes (the first PROGRAM_BYTES_LIMIT), size and mode. */
export interface ProgramFile {
  /** Where the regular file is, links followed (the path asked for when it is no link). */
  path: string;
  bytes: Buffer;
  size: number;
  /** Someone may execute it (any of the mode's x bits). */
  executable: boolean;
  /** The image preloads a library into every program (it has /etc/ld.so.preload): read in the same look. */
  imagePreloads: boolean;
}

/** Enough for any hello world, static or not; a larger file is read no further. */
export const PROGRAM_BYTES_LIMIT = 16 * 1024 * 1024;

/** A file's identity for grading: the SHA-256 of its first PROGRAM_BYTES_LIMIT bytes. */
export const programDigest = (bytes: Buffer): string => createHash('sha256').update(bytes.subarray(0, PROGRAM_BYTES_LIMIT)).digest('hex');

/** What the image starts and where, from its configuration. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  /** Its variables, KEY=value (PATH among them). */
  env: string[];
}

export interface LearnerEngine {
  /** The learner's image by name (or a base image), or undefined when they have none by that name. */
  image(name: string): Promise<LearnerImage | undefined>;
  /**
   * Runs the image with network none, a read-only root and the lab's limits, for at most `timeoutMs`;
   * with `program`, that file's bytes alone, run in a pristine lab image instead (the image's own
   * loader, libraries and files take no part): no arguments, no shell, no variables, as nobody,
   * started in a new empty folder.
   */
  run(imageId: string, command: string[] | undefined, timeoutMs: number, program?: string): Promise<RunOutcome>;
  /** The image's entrypoint, command and working folder. */
  config(imageId: string): Promise<ImageConfig>;
  /** A file of the image (links followed), or undefined when no regular file is there. */
  programFile(imageId: string, path: string): Promise<ProgramFile | undefined>;
  /**
   * The image's steps as the engine keeps them, newest first: each step's image id ('' where the
   * engine has no image for it, as for a base image's own layers) and the instruction that made it.
   */
  /** The image's history, newest first: each entry's image id ('' for a base image's own), instruction and layer size. */
  history(imageId: string): Promise<{ id: string; createdBy: string; size: number }[]>;
  /** How the learner's build made this image, or undefined when none of their builds did. */
  provenance(imageId: string): Promise<Provenance | undefined>;
  /** The learner's names for their images (for near-miss hints). */
  imageNames(): Promise<string[]>;
  /**
   * What the build step that made the image wrote in the system's folders, as the gateway recorded
   * it (empty: nothing); 'base' for one of the course's base images; undefined when no build of the
   * lab recorded that step.
   */
  stepWrites(imageId: string): Promise<readonly string[] | 'base' | undefined>;
  /** The id of the lab's pristine image whose compiler the course's builds use (the one a program runs alone in), or undefined when the engine lacks it. */
  labImage(): Promise<string | undefined>;
  /** Which of `paths` exist in the image's filesystem. */
  pathsExist(imageId: string, paths: string[]): Promise<Record<string, boolean>>;
  /** A text file in the learner's home folder, or undefined when there is none. */
  readFile(homePath: string): Promise<string | undefined>;
  /** What the learner's last `docker build` printed (its tail), if the server saw one. */
  lastBuildOutput(): string | undefined;
  /** The learner's latest build as recorded, whatever its outcome. */
  lastBuild(): Promise<Provenance | undefined>;
  /** Whether the gateway ever answered this request of the learner's Docker CLI (it records each). */
  answered(request: AnsweredRequest): Promise<boolean>;
}

/** Thrown by a port when we could not judge (engine down, workspace gone): the check is an `error`. */
export class CannotJudge extends Error {
  readonly cause: string;

  constructor(cause: string, message: string) {
    super(message);
    this.cause = cause;
  }
}
