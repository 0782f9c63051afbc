// <sc-challenge-board>: fetches the challenge's board and draws a table per class; drawn again
// whenever the page's check panel shows new results.
interface Board { check: string; classes: { classTitle: string; best: { name: string; size: number; mine: boolean }[] }[] }

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string) => Object.assign(document.createElement(tag), text === undefined ? {} : { textContent: text });
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

class ChallengeBoard extends HTMLElement {
  connectedCallback(): void {
    void this.draw();
    // The check panel says when new results are shown (a check, or one pushed live).
    window.addEventListener('stagecraft:checked', () => void this.draw());
  }

  async draw(): Promise<void> {
    let boards: Board[];
    try {
      const response = await fetch(`/api/lessons/${this.dataset.lesson}/board`, { credentials: 'same-origin' });
      if (!response.ok) return;
      boards = ((await response.json()) as { boards: Board[] }).boards;
    } catch {
      return; // the lesson works without its board
    }
    const classes = boards.flatMap((b) => b.classes);
    const tables = classes.map((c) => {
      const table = el('table');
      table.append(el('caption', `“${c.classTitle}”`));
      const head = el('tr');
      head.append(el('th', 'Rank'), el('th', 'Learner'), el('th', 'Size'));
      for (const th of head.children) th.setAttribute('scope', 'col');
      table.append(head);
      if (c.best.length === 0) {
        const row = el('tr');
        const cell = el('td', 'No image has passed yet: yours can be the first.');
        cell.colSpan = 3;
        row.append(cell);
        table.append(row);
      }
      c.best.forEach((entry, i) => {
        const row = el('tr');
        if (entry.mine) row.className = 'mine';
        const size = el('td', mb(entry.size));
        size.className = 'size';
        row.append(el('td', String(i + 1)), el('td', entry.mine ? `${entry.name} (you)` : entry.name), size);
        table.append(row);
      });
      return table;
    });
    this.querySelector('[data-board-tables]')!.replaceChildren(...tables);
    this.querySelector<HTMLElement>('[data-board]')!.hidden = classes.length === 0;
  }
}

if (!customElements.get('sc-challenge-board')) customElements.define('sc-challenge-board', ChallengeBoard);

export {}; // a module: its names stay its own
