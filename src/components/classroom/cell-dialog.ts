// The forms of a gradebook cell (override: points and a reason; comment: a note) and of a roster
// entry (rename, merge: roster.ts has those two), each in a modal
// <dialog>, each field with its own error beside it. Blank or impossible values are stopped here
// and send nothing; what the server refuses is shown beside the field it names. On close, focus
// goes back to the cell's button (found again by learner and lesson: a live refresh may have
// redrawn the grid meanwhile).

export interface CellTarget {
  classId: number;
  learnerId: string;
  displayName: string;
  lesson: string;
  points: number;
  maxPoints: number;
  comment: string;
}

type Values = Record<string, string>;

/** What differs between the override form and the comment form. */
export interface CellForm {
  /** The buttons' data-cell-action (focus returns to it), and the dialog's accessible name's first word. */
  action: 'override' | 'comment' | 'rename' | 'merge';
  title(target: CellTarget): string;
  /** Field values when the form opens. */
  initial(target: CellTarget): Values;
  /** A message per field that is wrong ('' when right), in the page's words. */
  check(values: Values, target: CellTarget): Values;
  path(target: CellTarget): string;
  body(values: Values, target: CellTarget): unknown;
}

type Post = (path: string, body: unknown) => Promise<{ status: number; body: { error?: string; field?: string } }>;

export const OVERRIDE: CellForm = {
  action: 'override',
  title: (t) => `Override ${t.lesson} for ${t.displayName}`,
  initial: (t) => ({ points: String(t.points), reason: '' }),
  check: (v, t) => ({
    points: /^\d+$/.test(v.points!) && Number(v.points) <= t.maxPoints ? '' : `Points must be a whole number from 0 to ${t.maxPoints}.`,
    reason: v.reason ? '' : 'Give a reason: it is kept in the audit trail with the override. Nothing was saved.',
  }),
  path: (t) => `/api/classes/${t.classId}/overrides`,
  body: (v, t) => ({ learner: t.learnerId, lesson: t.lesson, points: Number(v.points), reason: v.reason }),
};

export const COMMENT: CellForm = {
  action: 'comment',
  title: (t) => `Comment on ${t.lesson} for ${t.displayName}`,
  initial: (t) => ({ text: t.comment }),
  check: (v) => ({ text: v.text ? '' : 'Write a comment, or press Cancel. Nothing was saved.' }),
  path: (t) => `/api/classes/${t.classId}/comments`,
  body: (v, t) => ({ learner: t.learnerId, lesson: t.lesson, text: v.text }),
};

export class CellDialog {
  readonly #dialog: HTMLDialogElement;
  readonly #form: HTMLFormElement;
  readonly #kind: CellForm;
  #target: CellTarget | undefined;

  /** `post` sends the form; `saved` redraws the grid; `button` finds a cell's button in the grid. */
  constructor(dialog: HTMLDialogElement, kind: CellForm, post: Post, saved: () => Promise<void>, button: (learnerId: string, lesson: string, action: string) => HTMLElement | null) {
    this.#dialog = dialog;
    this.#kind = kind;
    this.#form = dialog.querySelector('form')!;
    this.#form.noValidate = true; // our messages, beside each field, rather than the browser's bubbles
    dialog.querySelector('[data-cancel]')!.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      const target = this.#target;
      this.#target = undefined;
      if (target) button(target.learnerId, target.lesson, kind.action)?.focus();
    });
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#submit(post, saved);
    });
  }

  open(target: CellTarget): void {
    this.#target = target;
    this.#dialog.querySelector('[data-title]')!.textContent = this.#kind.title(target);
    const range = this.#dialog.querySelector('[data-range]');
    if (range) range.textContent = `(0 to ${target.maxPoints})`;
    const initial = this.#kind.initial(target);
    for (const [name, value] of Object.entries(initial)) {
      this.#field(name).value = value;
      this.#error(name, '');
    }
    this.#error('form', '');
    this.#dialog.showModal();
    const first = this.#field(Object.keys(initial)[0]!);
    if (first instanceof HTMLSelectElement) first.focus();
    else first.select();
  }

  async #submit(post: Post, saved: () => Promise<void>): Promise<void> {
    const target = this.#target;
    if (!target) return;
    const names = Object.keys(this.#kind.initial(target));
    const values = Object.fromEntries(names.map((name) => [name, this.#field(name).value.trim()]));
    const errors = this.#kind.check(values, target);
    for (const name of names) this.#error(name, errors[name] ?? '');
    this.#error('form', '');
    const wrong = names.find((name) => errors[name]);
    if (wrong) return this.#field(wrong).focus();
    const { status, body } = await post(this.#kind.path(target), this.#kind.body(values, target));
    if (status < 200 || status > 299) {
      const field = body.field && names.includes(body.field) ? body.field : 'form';
      this.#error(field, `${sentence(body.error ?? 'that was not saved')} Nothing was saved.`);
      if (field !== 'form') this.#field(field).focus();
      return;
    }
    await saved();
    this.#dialog.close();
  }

  #field(name: string): HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement {
    return this.#form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
  }

  /** Shows (or clears) the message beside a field, and marks the field invalid for assistive technology. */
  #error(name: string, message: string): void {
    this.#dialog.querySelector(`[data-error="${name}"]`)!.textContent = message;
    if (name !== 'form') this.#field(name).setAttribute('aria-invalid', String(message !== ''));
  }
}

/** The server's sentences start in lower case, for composing; shown alone they start with a capital. */
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
