// The override form of a gradebook cell, in a modal <dialog>: points and a reason, each with its own
// error beside it. A blank reason or impossible points are stopped here and send nothing; what the
// server refuses is shown beside the field it names. On close, focus goes back to the cell's button
// (found again by learner and lesson: a live refresh may have redrawn the grid meanwhile).

export interface OverrideTarget {
  classId: number;
  learnerId: string;
  displayName: string;
  lesson: string;
  points: number;
  maxPoints: number;
}

type Post = (path: string, body: unknown) => Promise<{ status: number; body: { error?: string; field?: string } }>;

export class OverrideDialog {
  readonly #dialog: HTMLDialogElement;
  readonly #form: HTMLFormElement;
  #target: OverrideTarget | undefined;

  /** `post` sends the override; `saved` redraws the grid; `button` finds a cell's button in the grid. */
  constructor(dialog: HTMLDialogElement, post: Post, saved: () => Promise<void>, button: (learnerId: string, lesson: string) => HTMLElement | null) {
    this.#dialog = dialog;
    this.#form = dialog.querySelector('form')!;
    this.#form.noValidate = true; // our messages, beside each field, rather than the browser's bubbles
    dialog.querySelector('[data-cancel]')!.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      const target = this.#target;
      this.#target = undefined;
      if (target) button(target.learnerId, target.lesson)?.focus();
    });
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#submit(post, saved);
    });
  }

  open(target: OverrideTarget): void {
    this.#target = target;
    this.#dialog.querySelector('[data-title]')!.textContent = `Override ${target.lesson} for ${target.displayName}`;
    this.#dialog.querySelector('[data-range]')!.textContent = `(0 to ${target.maxPoints})`;
    this.#field('points').value = String(target.points);
    this.#field('reason').value = '';
    for (const name of ['points', 'reason', 'form']) this.#error(name, '');
    this.#dialog.showModal();
    this.#field('points').select();
  }

  async #submit(post: Post, saved: () => Promise<void>): Promise<void> {
    const target = this.#target;
    if (!target) return;
    const pointsText = this.#field('points').value.trim();
    const reason = this.#field('reason').value.trim();
    const points = Number(pointsText);
    const pointsError = /^\d+$/.test(pointsText) && points <= target.maxPoints ? '' : `Points must be a whole number from 0 to ${target.maxPoints}.`;
    const reasonError = reason ? '' : 'Give a reason: it is kept in the audit trail with the override. Nothing was saved.';
    this.#error('points', pointsError);
    this.#error('reason', reasonError);
    this.#error('form', '');
    if (pointsError || reasonError) return this.#field(pointsError ? 'points' : 'reason').focus();
    const { status, body } = await post(`/api/classes/${target.classId}/overrides`, { learner: target.learnerId, lesson: target.lesson, points, reason });
    if (status !== 201) {
      const field = body.field === 'points' || body.field === 'reason' ? body.field : 'form';
      this.#error(field, `${sentence(body.error ?? 'the override was not saved')} Nothing was saved.`);
      if (field !== 'form') this.#field(field).focus();
      return;
    }
    await saved();
    this.#dialog.close();
  }

  #field(name: 'points' | 'reason'): HTMLInputElement | HTMLTextAreaElement {
    return this.#form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement;
  }

  /** Shows (or clears) the message beside a field, and marks the field invalid for assistive technology. */
  #error(name: string, message: string): void {
    this.#dialog.querySelector(`[data-error="${name}"]`)!.textContent = message;
    if (name !== 'form') this.#field(name as 'points' | 'reason').setAttribute('aria-invalid', String(message !== ''));
  }
}

/** The server's sentences start in lower case, for composing; shown alone they start with a capital. */
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
