// A command run as the learner in their workspace, without a terminal of the learner's: what the
// New shell action and the lesson's starting files run.
import { finished } from 'node:stream/promises';
import type Docker from 'dockerode';
import { within } from './within.ts';

export interface LearnerExecResult {
  /** The command's exit code; undefined when it did not end within the time given. */
  exitCode: number | undefined;
  /** What it printed (the first 64 chunks), carriage returns dropped, trimmed. */
  output: string;
}

export async function execAsLearner(docker: Docker, container: string, cmd: string[], timeoutMs: number): Promise<LearnerExecResult> {
  const exec = await docker.getContainer(container).exec({
    Cmd: cmd, User: 'learner', WorkingDir: '/home/learner', AttachStdout: true, AttachStderr: true, Tty: true,
  });
  const stream = await exec.start({ Tty: true });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => { if (chunks.length < 64) chunks.push(chunk); });
  // Done when the engine ends the exec's stream; a stalled engine is not waited for past the deadline.
  const ended = await within(finished(stream).then(() => true, () => false), timeoutMs);
  const exitCode = ended ? (await exec.inspect()).ExitCode ?? undefined : undefined;
  return { exitCode, output: Buffer.concat(chunks).toString('utf8').replace(/\r/g, '').trim() };
}
