// What grading needs from the sandbox, for one learner. Grading never sees engine names or sockets:
// it asks for the learner's image by the name the learner gave it.

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
}

export interface LearnerEngine {
  /** The learner's image by name (or a base image), or undefined when they have none by that name. */
  image(name: string): Promise<LearnerImage | undefined>;
  /** Runs the image with network none, a read-only root and the lab's limits, for at most `timeoutMs`. */
  run(imageId: string, command: string[] | undefined, timeoutMs: number): Promise<RunOutcome>;
  /** Which of `paths` exist in the image's filesystem. */
  pathsExist(imageId: string, paths: string[]): Promise<Record<string, boolean>>;
  /** A text file in the learner's home folder, or undefined when there is none. */
  readFile(homePath: string): Promise<string | undefined>;
  /** What the learner's last `docker build` printed (its tail), if the server saw one. */
  lastBuildOutput(): string | undefined;
}

/** Thrown by a port when we could not judge (engine down, workspace gone): the check is an `error`. */
export class CannotJudge extends Error {
  readonly cause: string;

  constructor(cause: string, message: string) {
    super(message);
    this.cause = cause;
  }
}
