// The regrade of a lesson: first a confirmation in a modal <dialog> that says how many learners it
// will touch (and is sent along, so a class that changed meanwhile is refused rather than surprised);
// then the answer in learners: passed, failed (which checks), could not judge (the recorded causes).

export interface RegradeAnswer {
  error?: string;
  learners?: number;
  passed?: { learner: string; rosterId: string }[];
  failed?: { learner: string; rosterId: string; checks: string[] }[];
  couldNotJudge?: { learner: string; rosterId: string; causes: string[] }[];
}
type Post = (path: string, body: unknown) => Promise<{ status: number; body: RegradeAnswer }>;

/** Cause codes as an instructor reads them; an unknown code is shown as it is. */
const CAUSES: Record<string, string> = {
  image_gone: 'image gone, the earlier pass stands',
  engine_unavailable: 'the Docker engine did not answer',
  workspace_missing: 'no workspace',
  internal: 'a server error, in its log',
};
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text: string) => Object.assign(document.createElement(tag), { textContent: text });
const plural = (n: number) => `${n} learner${n === 1 ? '' : 's'}`;

export class RegradeDialog {
  readonly #dialog: HTMLDialogElement;
  #pending: { classId: number; lesson: string; title: string; learners: number } | undefined;

  /** `status` is the page's live region, `list` where the learners of the answer go, `opener` gets focus back. */
  constructor(dialog: HTMLDialogElement, post: Post, status: HTMLElement, list: HTMLElement, opener: HTMLElement, done: () => Promise<void>) {
    this.#dialog = dialog;
    dialog.querySelector('[data-cancel]')!.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => opener.focus());
    dialog.querySelector('[data-confirm]')!.addEventListener('click', async () => {
      const run = this.#pending;
      if (!run) return;
      this.#pending = undefined;
      dialog.close();
      list.replaceChildren();
      status.textContent = `Regrading ${run.title} for ${plural(run.learners)}…`;
      const { status: code, body } = await post(`/api/classes/${run.classId}/regrade`, { lesson: run.lesson, learners: run.learners });
      if (code !== 200) return void (status.textContent = `${sentence(body.error ?? 'the regrade failed')} Nothing was regraded.`);
      const passed = body.passed ?? [], failed = body.failed ?? [], unjudged = body.couldNotJudge ?? [];
      status.textContent = `Regraded ${run.title} for ${plural(body.learners ?? 0)}: ${passed.length} passed, ${failed.length} failed, ${unjudged.length} could not be judged.`;
      list.replaceChildren(
        ...failed.map((f) => el('li', `Failed: ${f.learner} (${f.rosterId}): ${f.checks.join(', ')}`)),
        ...unjudged.map((u) => el('li', `Could not judge: ${u.learner} (${u.rosterId}): ${u.causes.map((c) => CAUSES[c] ?? c).join('; ')}`)),
      );
      await done();
    });
  }

  /** Asks before regrading `lesson` for the `learners` in the grid. */
  open(classId: number, lesson: string, title: string, learners: number): void {
    this.#pending = { classId, lesson, title, learners };
    this.#dialog.querySelector('[data-title]')!.textContent = `Regrade ${title} for ${plural(learners)}?`;
    this.#dialog.querySelector('[data-what]')!.textContent = learners === 0
      ? 'The class has no learners in its grid yet: there is nothing to regrade.'
      : `Its checks run again on the current images of the ${plural(learners)} in the grid (removed learners are left out). ` +
        'The results are recorded as a regrade: the learners\' own attempt counts do not change, and a pass whose image is gone stands.';
    const confirm = this.#dialog.querySelector<HTMLButtonElement>('[data-confirm]')!;
    confirm.textContent = `Regrade ${plural(learners)}`;
    confirm.disabled = learners === 0;
    this.#dialog.showModal();
    (learners === 0 ? this.#dialog.querySelector<HTMLButtonElement>('[data-cancel]')! : confirm).focus();
  }
}

/** The server's sentences start in lower case, for composing; shown alone they start with a capital. */
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
