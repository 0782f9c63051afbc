// The roster of the open class: each entry's id and name with Rename, Remove and Merge; removed
// entries with Restore; joining open or closed; archive. Rename and merge use the cell dialogs' form
// (errors beside the field, focus back on close). An archived class shows no buttons that change it.
import { CellDialog, type CellForm, type CellTarget } from './cell-dialog.ts';

export interface RosterBook {
  class: { id: number; joiningClosed: boolean; archived: boolean };
  rows: { learnerId: string; rosterId: string; displayName: string }[];
  removed: { learnerId: string; rosterId: string; displayName: string }[];
}
type Post = (path: string, body: unknown) => Promise<{ status: number; body: { error?: string; field?: string } }>;

const RENAME: CellForm = {
  action: 'rename',
  title: (t) => `Rename ${t.displayName}`,
  initial: (t) => ({ displayName: t.displayName }),
  check: (v) => ({ displayName: v.displayName && v.displayName.length <= 60 ? '' : 'A name of 1 to 60 characters is needed. Nothing was saved.' }),
  path: (t) => `/api/classes/${t.classId}/roster/rename`,
  body: (v, t) => ({ learner: t.learnerId, displayName: v.displayName }),
};

const MERGE: CellForm = {
  action: 'merge',
  title: (t) => `Merge ${t.displayName} into another entry`,
  initial: () => ({ into: '' }),
  check: (v) => ({ into: v.into ? '' : 'Choose the entry to keep. Nothing was merged.' }),
  path: (t) => `/api/classes/${t.classId}/roster/merge`,
  body: (v, t) => ({ learner: t.learnerId, into: v.into }),
};

const button = (text: string, label: string, action?: string) => {
  const b = Object.assign(document.createElement('button'), { type: 'button', textContent: text, className: 'small' });
  b.setAttribute('aria-label', label);
  if (action) b.dataset.cellAction = action;
  return b;
};
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string) => Object.assign(document.createElement(tag), text === undefined ? {} : { textContent: text });

export class Roster {
  readonly #root: HTMLElement;
  readonly #post: Post;
  readonly #saved: () => Promise<void>;
  readonly #rename: CellDialog;
  readonly #merge: CellDialog;

  constructor(root: HTMLElement, post: Post, saved: () => Promise<void>) {
    this.#root = root;
    this.#post = post;
    this.#saved = saved;
    const find = (learner: string, _lesson: string, action: string) => root.querySelector<HTMLElement>(`[data-roster-table] tr[data-learner="${learner}"] button[data-cell-action="${action}"]`);
    this.#rename = new CellDialog(root.querySelector('[data-rename]')!, RENAME, post, saved, find);
    this.#merge = new CellDialog(root.querySelector('[data-merge]')!, MERGE, post, saved, find);
  }

  render(book: RosterBook): void {
    const { id, joiningClosed, archived } = book.class;
    this.#root.querySelector<HTMLElement>('[data-roster]')!.hidden = false;
    const state = this.#root.querySelector('[data-class-state]')!;
    const joining = button(joiningClosed ? 'Reopen joining' : 'Close joining', joiningClosed ? 'Reopen joining' : 'Close joining');
    joining.addEventListener('click', () => void this.#act(`/api/classes/${id}/joining`, { open: joiningClosed }));
    const archive = button(archived ? 'Unarchive the class' : 'Archive the class', archived ? 'Unarchive the class' : 'Archive the class');
    archive.addEventListener('click', () => void this.#act(`/api/classes/${id}/archive`, { archived: !archived }));
    state.replaceChildren(
      el('span', archived ? 'This class is archived: read-only, and out of your list of classes. ' : joiningClosed ? 'Joining is closed: the join code is refused. ' : 'Joining is open. '),
      ...(archived ? [] : [joining, ' ']), archive,
    );
    const table = this.#root.querySelector('[data-roster-table]')!;
    const head = el('tr');
    head.append(...['ID', 'Name', ...(archived ? [] : ['Changes'])].map((h) => Object.assign(el('th', h), { scope: 'col' })));
    table.replaceChildren(el('caption', `Roster, ${book.rows.length} learners`), head, ...book.rows.map((row) => {
      const tr = el('tr');
      tr.dataset.learner = row.learnerId;
      const name = Object.assign(el('th', row.displayName), { scope: 'row' });
      tr.append(el('td', row.rosterId), name);
      if (archived) return tr;
      const target: CellTarget = { classId: id, learnerId: row.learnerId, displayName: row.displayName, lesson: '', points: 0, maxPoints: 0, comment: '' };
      const rename = button('Rename', `Rename ${row.displayName}`, 'rename');
      rename.addEventListener('click', () => this.#rename.open(target));
      const remove = button('Remove', `Remove ${row.displayName}`);
      remove.addEventListener('click', () => void this.#act(`/api/classes/${id}/roster/remove`, { learner: row.learnerId }, `${row.displayName} removed: their attempts are kept, and Restore brings them back.`));
      const merge = button('Merge…', `Merge ${row.displayName} into another entry`, 'merge');
      merge.disabled = book.rows.length < 2;
      merge.addEventListener('click', () => {
        const select = this.#root.querySelector<HTMLSelectElement>('[data-merge] select')!;
        select.replaceChildren(el('option', 'Choose…'), ...book.rows.filter((r) => r.learnerId !== row.learnerId)
          .map((r) => Object.assign(el('option', `${r.displayName} (${r.rosterId})`), { value: r.learnerId })));
        (select.options[0]!).value = '';
        this.#merge.open(target);
      });
      const cell = el('td');
      cell.append(rename, ' ', remove, ' ', merge);
      tr.append(cell);
      return tr;
    }));
    const removed = this.#root.querySelector<HTMLElement>('[data-removed]')!;
    removed.hidden = book.removed.length === 0;
    removed.querySelector('ul')!.replaceChildren(...book.removed.map((r) => {
      const li = el('li', `${r.displayName} (${r.rosterId}) `);
      if (!archived) {
        const restore = button('Restore', `Restore ${r.displayName}`);
        restore.addEventListener('click', () => void this.#act(`/api/classes/${id}/roster/restore`, { learner: r.learnerId }, `${r.displayName} restored.`));
        li.append(restore);
      }
      return li;
    }));
  }

  /** A one-click change: the server's sentence if refused, else `done`, in the roster's status line. */
  async #act(path: string, body: unknown, done = ''): Promise<void> {
    const { status, body: answer } = await this.#post(path, body);
    const message = this.#root.querySelector('[data-roster-status]')!;
    message.textContent = status === 200 ? done : `${answer.error ?? 'That did not work'}.`.replace(/^./, (c) => c.toUpperCase());
    await this.#saved();
  }
}
