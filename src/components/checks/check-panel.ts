// <sc-check-panel>: shows each of the lesson's checks with its verdict, what was expected, what was
// seen and a hint. Results arrive by themselves while the learner works (the server re-runs the
// checks when a build ends or an image changes, and pushes them over server-sent events); the
// button runs them at once. Results are announced (the region is aria-live).
import type { CheckResult } from '../../schemas/checks.ts';
import { showComment, type CommentNote } from '../classroom/comment-note.ts';

const LABELS: Record<CheckResult['status'], string> = { pass: 'Passed', fail: 'Not yet', error: 'Could not check' };

class CheckPanel extends HTMLElement {
  #events: EventSource | undefined;
  #retry: number | undefined;

  connectedCallback(): void {
    this.querySelector<HTMLButtonElement>('[data-check-run]')?.addEventListener('click', () => void this.run());
    this.listen();
    // A first visit has no session until the terminal makes one: listen again at once then.
    window.addEventListener('stagecraft:session', this.#onSession);
  }

  readonly #onSession = () => {
    if (this.#events?.readyState !== EventSource.CLOSED) return;
    window.clearTimeout(this.#retry);
    this.listen();
  };

  disconnectedCallback(): void {
    window.removeEventListener('stagecraft:session', this.#onSession);
    this.#events?.close();
    window.clearTimeout(this.#retry);
  }

  /** Live results. A visitor with no session yet gets nothing to watch; try again a little later. */
  listen(): void {
    const events = new EventSource(`/api/lessons/${this.dataset.lesson}/events`);
    this.#events = events;
    events.addEventListener('latest', (event) => {
      const latest = JSON.parse((event as MessageEvent<string>).data) as { results: CheckResult[]; override?: { points: number; reason: string }; comment?: CommentNote };
      if (latest.results.length > 0) this.showAll(latest.results);
      const note = this.querySelector<HTMLElement>('[data-check-override]')!;
      note.hidden = !latest.override;
      note.textContent = latest.override ? `Your instructor set this lesson to ${latest.override.points} points: ${latest.override.reason}` : '';
      showComment(this.querySelector<HTMLElement>('[data-check-comment]')!, latest.comment);
    });
    events.addEventListener('results', (event) => this.showAll(JSON.parse((event as MessageEvent<string>).data) as CheckResult[]));
    events.addEventListener('error', () => {
      if (events.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
      this.#retry = window.setTimeout(() => this.listen(), 5_000);
    });
  }

  async run(): Promise<void> {
    const button = this.querySelector<HTMLButtonElement>('[data-check-run]')!;
    const summary = this.querySelector<HTMLElement>('[data-check-summary]')!;
    button.disabled = true;
    button.textContent = 'Checking…';
    summary.textContent = '';
    try {
      const response = await fetch(`/api/lessons/${this.dataset.lesson}/check`, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      const body = (await response.json()) as { results?: CheckResult[]; error?: string };
      if (!response.ok || !body.results) throw new Error(body.error ?? `the server answered ${response.status}`);
      this.showAll(body.results);
    } catch (error) {
      summary.textContent = `The checks could not run: ${(error as Error).message}. Try again in a moment.`;
    } finally {
      button.disabled = false;
      button.textContent = 'Check now';
    }
  }

  showAll(results: CheckResult[]): void {
    for (const result of results) this.show(result);
    const points = results.reduce((sum, r) => sum + r.points, 0);
    const max = results.reduce((sum, r) => sum + r.maxPoints, 0);
    this.querySelector<HTMLElement>('[data-check-summary]')!.textContent = points === max ? `All checks passed: ${points} of ${max} points.` : `${points} of ${max} points so far.`;
    window.dispatchEvent(new CustomEvent('stagecraft:checked')); // for what draws on results (a challenge's board)
  }


  show(result: CheckResult): void {
    const item = this.querySelector<HTMLElement>(`li[data-check-id="${CSS.escape(result.id)}"]`);
    if (!item) return;
    item.dataset.checkStatus = result.status;
    item.querySelector('[data-check-badge]')!.textContent = LABELS[result.status];
    const detail = item.querySelector<HTMLElement>('[data-check-detail]')!;
    detail.replaceChildren();
    const line = (label: string, text: string | undefined) => {
      if (!text) return;
      const p = document.createElement('p');
      const strong = document.createElement('strong');
      strong.textContent = `${label}: `;
      p.append(strong, text); // text, never HTML: output excerpts come from the learner's programs
      detail.append(p);
    };
    if (result.status === 'fail') {
      line('Expected', result.expected);
      line('Seen', result.seen);
      line('Hint', result.hint);
    } else if (result.status === 'error') {
      line('Why', `${result.cause ?? 'unknown'}. This does not count against you; check again in a moment.`);
    }
  }
}

customElements.define('sc-check-panel', CheckPanel);
