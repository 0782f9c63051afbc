// <sc-check-panel>: runs the lesson's checks on the server and shows each verdict, with what was
// expected, what was seen and a hint. Results are announced (the region is aria-live).
import type { CheckResult } from '../../schemas/checks.ts';

const LABELS: Record<CheckResult['status'], string> = { pass: 'Passed', fail: 'Not yet', error: 'Could not check' };

class CheckPanel extends HTMLElement {
  connectedCallback(): void {
    this.querySelector<HTMLButtonElement>('[data-check-run]')?.addEventListener('click', () => void this.run());
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
      for (const result of body.results) this.show(result);
      const points = body.results.reduce((sum, r) => sum + r.points, 0);
      const max = body.results.reduce((sum, r) => sum + r.maxPoints, 0);
      summary.textContent = points === max ? `All checks passed: ${points} of ${max} points.` : `${points} of ${max} points so far.`;
    } catch (error) {
      summary.textContent = `The checks could not run: ${(error as Error).message}. Try again in a moment.`;
    } finally {
      button.disabled = false;
      button.textContent = 'Check my work';
    }
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
