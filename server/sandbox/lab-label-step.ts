// The lab's ownership label reaches the engine as a build option, and the classic builder makes each
// build label a LABEL step of its own at the end of the last stage: a learner who wrote eight
// instructions read "Step 9/9 : LABEL org.stagecraft.learner=…", and saw that step in `docker
// history` and in the layer view. They wrote no such step, so what they read is without it: the
// build's steps numbered as their Dockerfile is, and the history as their instructions made it.
// (The label stays on the image: ownership and grading read it there.)
import { LABELS } from './policy.ts';

const LAB_LABEL = `LABEL ${LABELS.learner}=`;
const STEP = /^Step (\d+)\/(\d+) : /;
/** What the engine prints for a step it has finished or is running, under the step line. */
const STEP_DETAIL = /^( ---> (Running in )?[0-9a-f]{12}|Removing intermediate container [0-9a-f]{12})\n?$/;

/** Whether a history entry's instruction is the lab's label step. */
export const isLabLabelStep = (createdBy: string): boolean => /#\(nop\)\s+LABEL /.test(createdBy) && createdBy.includes(`LABEL ${LABELS.learner}=`);

type HistoryEntry = { CreatedBy: string; Id?: string; Tags?: string[] | null; Size?: number };

/**
 * Takes the lab's label step off a history (newest first), fed in order in one or more calls, as a
 * streamed answer gives it: that entry's id and tags (the image's own, for the top one) go to the
 * entry below it, whose instruction it only labelled (its size is 0).
 */
export function labLabelStepRemover<T extends HistoryEntry>(): (entries: T[]) => T[] {
  let held: T | undefined;
  return (entries) => entries.flatMap((entry) => {
    if (isLabLabelStep(entry.CreatedBy)) {
      held = entry;
      return [];
    }
    if (!held) return [entry];
    const merged = { ...entry, Id: held.Id, Tags: held.Tags, Size: (entry.Size ?? 0) + (held.Size ?? 0) };
    held = undefined;
    return [merged];
  });
}

/** A whole history without the lab's label step. */
export const withoutLabLabelStep = <T extends HistoryEntry>(history: T[]): T[] => labLabelStepRemover<T>()(history);

/** Takes the lab's label step off a build's JSON lines and numbers the other steps without it. */
export class LabLabelStepFilter {
  #hiding = false;
  #after = false;
  /** The engine numbers its steps 1, 2, 3…: a "Step" line out of turn is a RUN's own output, left alone. */
  #next = 1;

  /** One JSON line of the engine's build stream: as the learner reads it, or undefined to drop it. */
  line(line: string): string | undefined {
    let message: { stream?: unknown };
    try {
      message = JSON.parse(line) as { stream?: unknown };
    } catch {
      return line;
    }
    if (typeof message.stream !== 'string') return line;
    const step = STEP.exec(message.stream);
    if (!step) {
      if (this.#hiding && STEP_DETAIL.test(message.stream)) return undefined;
      this.#hiding = false;
      return line;
    }
    if (Number(step[1]) !== this.#next) return line;
    this.#next++;
    const rest = message.stream.slice(step[0].length);
    if (rest.startsWith(LAB_LABEL)) {
      this.#hiding = true;
      this.#after = true;
      return undefined;
    }
    this.#hiding = false;
    const number = Number(step[1]) - (this.#after ? 1 : 0);
    return JSON.stringify({ ...message, stream: `Step ${number}/${Number(step[2]) - 1} : ${rest}` });
  }
}
