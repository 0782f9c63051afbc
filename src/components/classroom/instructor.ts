// <sc-instructor>: the instructor page. Everything the server sends is set as text, never as HTML:
// display names are chosen by learners.

interface ClassInfo { id: number; title: string; code: string; joinUrl: string; joiningClosed: boolean; archived: boolean }
interface Cell { status: string; points: number; autoPoints: number; maxPoints: number; attempts: number; override?: { points: number; reason: string }; comment?: { text: string } }
interface Row { learnerId: string; rosterId: string; displayName: string; lessons: Record<string, Cell>; total: number }
interface Book { class: ClassInfo; lessons: { slug: string; title: string }[]; rows: Row[]; removed: { learnerId: string; rosterId: string; displayName: string }[] }

import { showJoinLink, wireCopy } from './join-link.ts';
import { CellDialog, COMMENT, OVERRIDE, type CellTarget } from './cell-dialog.ts';
import { Roster } from './roster.ts';
import { RegradeDialog } from './regrade-dialog.ts';

const json = async <T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
  const response = await fetch(path, { credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, ...init });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as T };
};
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string) => Object.assign(document.createElement(tag), text === undefined ? {} : { textContent: text });

class Instructor extends HTMLElement {
  #events: EventSource | undefined;
  #current: number | undefined;
  #override: CellDialog | undefined;
  #comment: CellDialog | undefined;
  #roster: Roster | undefined;
  /** The class list shows archived classes instead of current ones. */
  #showArchived = false;
  #archived = false;

  async connectedCallback(): Promise<void> {
    const post = (path: string, body: unknown) => json<{ error?: string; field?: string }>(path, { method: 'POST', body: JSON.stringify(body) });
    const button = (learner: string, lesson: string, action: string) =>
      this.querySelector<HTMLElement>(`tr[data-learner="${learner}"] td[data-lesson="${lesson}"] button[data-cell-action="${action}"]`);
    this.#override = new CellDialog(this.q<HTMLDialogElement>('[data-override]'), OVERRIDE, post, () => this.render(), button);
    this.#comment = new CellDialog(this.q<HTMLDialogElement>('[data-comment]'), COMMENT, post, () => this.render(), button);
    // A roster change may move the class in or out of the list (archive), so both are redrawn.
    this.#roster = new Roster(this, post, async () => {
      await this.render();
      await this.refresh();
    });
    this.q('[data-show-archived]').addEventListener('click', () => {
      this.#showArchived = !this.#showArchived;
      void this.refresh();
    });
    this.form('[data-login]', async (fields) => {
      const { status, body } = await json<{ error?: string }>('/api/instructor/login', { method: 'POST', body: JSON.stringify(fields) });
      if (status !== 200) return void (this.q('[data-login-error]').textContent = body.error ?? 'Sign-in failed.');
      await this.refresh();
    });
    this.form('[data-create]', async (fields, form) => {
      await json('/api/classes', { method: 'POST', body: JSON.stringify(fields) });
      form.reset();
      await this.refresh();
    });
    const regrade = new RegradeDialog(this.q<HTMLDialogElement>('[data-regrade-confirm]'), (path, body) => json(path, { method: 'POST', body: JSON.stringify(body) }),
      this.q('[data-live]'), this.q('[data-regrade-summary]'), this.q('[data-regrade] button[type="submit"]'), () => this.render());
    // Nothing runs before the instructor has seen how many learners it will touch.
    this.form('[data-regrade]', async (fields) => {
      if (this.#current === undefined) return;
      const select = this.q<HTMLSelectElement>('[data-regrade-lesson]');
      regrade.open(this.#current, fields.lesson!, select.selectedOptions[0]?.textContent ?? fields.lesson!, this.q('table[data-grid]').querySelectorAll('tr[data-learner]').length);
    });
    wireCopy(this);
    this.q('[data-watch-close]').addEventListener('click', () => {
      this.#watching?.close();
      this.#watching = undefined;
      this.q('[data-watch]').hidden = true;
    });
    this.q('[data-logout]').addEventListener('click', async () => {
      await json('/api/instructor/logout', { method: 'POST', body: '{}' });
      location.reload();
    });
    // A lost or shared device: every session of this instructor ends, this one included.
    this.q('[data-logout-everywhere]').addEventListener('click', async () => {
      await json('/api/instructor/logout-everywhere', { method: 'POST', body: '{}' });
      location.reload();
    });
    await this.refresh();
  }

  q<T extends HTMLElement = HTMLElement>(selector: string): T {
    return this.querySelector<T>(selector)!;
  }

  form(selector: string, onSubmit: (fields: Record<string, string>, form: HTMLFormElement) => Promise<void>): void {
    const form = this.q<HTMLFormElement>(selector);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void onSubmit(Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)])), form);
    });
  }

  async refresh(): Promise<void> {
    const me = await json<{ name?: string }>('/api/instructor');
    this.q('[data-login]').hidden = me.status === 200;
    this.q('[data-signed-in]').hidden = me.status !== 200;
    if (me.status !== 200) return;
    this.q('[data-name]').textContent = me.body.name ?? '';
    const { body: classes } = await json<ClassInfo[]>(`/api/classes${this.#showArchived ? '?archived=1' : ''}`);
    this.q('[data-classes-title]').textContent = this.#showArchived ? 'Your archived classes' : 'Your classes';
    this.q('[data-show-archived]').textContent = this.#showArchived ? 'Show current classes' : 'Show archived classes';
    this.q('[data-classes]').replaceChildren(...classes.map((c) => {
      const item = el('li');
      const open = el('button', `${c.title}`);
      open.className = 'small';
      open.addEventListener('click', () => void this.open(c.id));
      item.append(open, ` join code `, el('strong', c.code), ` · join link `, el('code', c.joinUrl), c.joiningClosed ? ' · joining closed' : '');
      return item;
    }));
  }

  async open(classId: number): Promise<void> {
    this.#current = classId;
    await this.render();
    this.#events?.close();
    // Live: the server says when a learner of this class checks their work or a grade changes.
    this.#events = new EventSource(`/api/classes/${classId}/events`);
    this.#events.addEventListener('grades', () => void this.render());
    this.#events.addEventListener('open', () => void (this.q('[data-live]').textContent = 'Updates live while your class works.'));
  }

  async render(): Promise<void> {
    if (this.#current === undefined) return;
    const { status, body: book } = await json<Book>(`/api/classes/${this.#current}/gradebook`);
    if (status !== 200) return;
    // A live refresh redraws the grid under the keyboard: the button that had focus gets it back.
    const focused = document.activeElement;
    const label = focused && this.contains(focused) ? focused.getAttribute('aria-label') : null;
    this.draw(book);
    if (label && document.activeElement === document.body) this.querySelector<HTMLElement>(`[aria-label="${CSS.escape(label)}"]`)?.focus();
  }

  draw(book: Book): void {
    const section = this.q('[data-book]');
    section.hidden = false;
    this.#archived = book.class.archived;
    this.#roster?.render(book);
    // Read-only: nothing that would be refused is offered.
    this.q('[data-regrade]').hidden = book.class.archived;
    this.q('[data-book-title]').textContent = `Gradebook: ${book.class.title} (code ${book.class.code})`;
    showJoinLink(this, book.class.id, book.class.joinUrl);
    const links = this.q('[data-book-links]');
    links.replaceChildren(
      Object.assign(el('a', 'Download grades (CSV)'), { href: `/api/classes/${book.class.id}/grades.csv` }), ' · ',
      Object.assign(el('a', 'Download every attempt (CSV)'), { href: `/api/classes/${book.class.id}/attempts.csv` }),
    );
    const select = this.q<HTMLSelectElement>('[data-regrade-lesson]');
    if (select.options.length !== book.lessons.length) select.replaceChildren(...book.lessons.map((l) => Object.assign(el('option', l.title), { value: l.slug })));
    const table = this.q<HTMLTableElement>('[data-grid]');
    const head = el('tr');
    head.append(el('th', 'Learner'), el('th', 'ID'), ...book.lessons.map((l) => el('th', l.title)), el('th', 'Total'));
    for (const th of head.children) th.setAttribute('scope', 'col');
    const rows = book.rows.map((row) => {
      const tr = el('tr');
      const name = el('th', row.displayName);
      name.setAttribute('scope', 'row');
      tr.dataset.learner = row.learnerId;
      const history = el('button', 'Attempts');
      history.className = 'small';
      history.setAttribute('aria-label', `Attempts of ${row.displayName}`);
      history.addEventListener('click', () => void this.attempts(book.class.id, row));
      name.append(' ', history);
      const watch = el('button', 'Watch');
      watch.className = 'small';
      watch.setAttribute('aria-label', `Watch ${row.displayName}'s terminal`);
      watch.addEventListener('click', () => void this.watch(book.class.id, row));
      name.append(' ', watch);
      tr.append(name, el('td', row.rosterId), ...book.lessons.map((lesson) => this.cell(row, lesson.slug, book.class.id)), el('td', String(row.total)));
      return tr;
    });
    table.replaceChildren(Object.assign(el('caption', `Learners × lessons, ${book.rows.length} learners`), {}), head, ...rows);
  }

  #watching: { close(): void } | undefined;

  /** Drill-down: every attempt of one learner, newest first, with its evidence; and the overrides. */
  async attempts(classId: number, row: Row): Promise<void> {
    const { status, body } = await json<{
      attempts: { lesson: string; checkId: string; status: string; points: number; maxPoints: number; createdAt: number; evidence: Record<string, unknown>; detail: { expected?: string; seen?: string; hint?: string; cause?: string } }[];
      overrides: { lesson: string; points: number; reason: string; instructor: string; createdAt: number }[];
      builds: Record<string, Snapshot | null>; lastBuild: Snapshot | null;
    }>(
      `/api/classes/${classId}/learners/${row.learnerId}/attempts`);
    if (status !== 200) return;
    const panel = this.q('[data-attempts]');
    panel.hidden = false;
    this.q('[data-attempts-title]').textContent = `Attempts of ${row.displayName}`;
    const table = el('table');
    table.append(el('caption', `${body.attempts.length} attempts, newest first`));
    const head = el('tr');
    head.append(...['When', 'Lesson', 'Check', 'Result', 'Points', 'What the learner was told', 'Evidence', 'Build'].map((h) => el('th', h)));
    table.append(head);
    for (const a of [...body.attempts].reverse()) {
      const tr = el('tr');
      tr.append(el('td', new Date(a.createdAt).toLocaleString()), el('td', a.lesson), el('td', a.checkId), el('td', a.status), el('td', `${a.points} / ${a.maxPoints}`));
      const told = [a.detail.expected && `Expected: ${a.detail.expected}`, a.detail.seen && `Seen: ${a.detail.seen}`, a.detail.hint && `Hint: ${a.detail.hint}`, a.detail.cause && `Cause: ${a.detail.cause}`].filter(Boolean).join(' · ');
      tr.append(el('td', told));
      const evidence = el('td');
      evidence.append(el('code', Object.entries(a.evidence).map(([k, v]) => `${k}: ${String(v)}`).join('; ').slice(0, 600)));
      tr.append(evidence);
      const imageId = typeof a.evidence.imageId === 'string' ? a.evidence.imageId : undefined;
      tr.append(snapshotCell(imageId ? body.builds[imageId] ?? null : a.status === 'pass' ? null : body.lastBuild));
      table.append(tr);
    }
    const overrides = el('ul');
    overrides.append(...body.overrides.map((o) => el('li', `${new Date(o.createdAt).toLocaleString()}: ${o.lesson} set to ${o.points} by ${o.instructor}: ${o.reason}`)));
    this.q('[data-attempts-list]').replaceChildren(table, ...(body.overrides.length > 0 ? [el('h3', 'Overrides'), overrides] : []));
  }

  async watch(classId: number, row: Row): Promise<void> {
    this.#watching?.close();
    const panel = this.q('[data-watch]');
    panel.hidden = false;
    this.q('[data-watch-title]').textContent = `Watching ${row.displayName}'s terminal (read-only; they are told)`;
    const status = this.q('[data-watch-status]');
    status.textContent = '';
    const { watchTerminal } = await import('./watch.ts');
    this.#watching = await watchTerminal(this.q('[data-watch-host]'), classId, row.learnerId, (text) => void (status.textContent = text));
  }

  cell(row: Row, slug: string, classId: number): HTMLTableCellElement {
    const cell = row.lessons[slug]!;
    const td = el('td');
    td.dataset.lesson = slug;
    td.dataset.status = cell.status;
    td.append(el('span', `${cell.points} / ${cell.maxPoints}`));
    const note = cell.override ? `overridden (auto ${cell.autoPoints}): ${cell.override.reason}` : `${cell.status.replace('-', ' ')}, ${cell.attempts} attempts`;
    td.append(Object.assign(el('span', note), { className: 'cell-note' }));
    if (cell.comment) td.append(Object.assign(el('span', `Comment: ${cell.comment.text}`), { className: 'cell-note' }));
    const target: CellTarget = { classId, learnerId: row.learnerId, displayName: row.displayName, lesson: slug, points: cell.points, maxPoints: cell.maxPoints, comment: cell.comment?.text ?? '' };
    const edit = el('button', 'Override');
    edit.className = 'small';
    edit.dataset.cellAction = 'override';
    edit.setAttribute('aria-label', `Override ${slug} for ${row.displayName}`);
    edit.addEventListener('click', () => this.#override?.open(target));
    const comment = el('button', 'Comment');
    comment.className = 'small';
    comment.dataset.cellAction = 'comment';
    comment.setAttribute('aria-label', `Comment on ${slug} for ${row.displayName}`);
    comment.addEventListener('click', () => this.#comment?.open(target));
    if (!this.#archived) td.append(edit, ' ', comment);
    return td;
  }
}

customElements.define('sc-instructor', Instructor);

interface Snapshot { dockerfileName: string; dockerfile: string; outcome: string; log: string; tags: string[] }

/** The Dockerfile that built the graded image and the end of its build log, folded away. */
function snapshotCell(snapshot: Snapshot | null): HTMLTableCellElement {
  const td = el('td');
  if (!snapshot) return td;
  const details = el('details');
  details.append(el('summary', `${snapshot.dockerfileName} (${snapshot.outcome})`), el('pre', snapshot.dockerfile), el('pre', snapshot.log.slice(-2000)));
  td.append(details);
  return td;
}
