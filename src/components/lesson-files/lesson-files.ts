// <sc-lesson-files>: the "Starting here?" box's buttons. Each asks the server to run the workspace's
// lesson-files script for this learner and says what it did; a reset asks first.
class ScLessonFiles extends HTMLElement {
  connectedCallback(): void {
    const lesson = this.dataset.lesson ?? '';
    const folder = this.dataset.folder ?? '';
    const status = this.querySelector<HTMLElement>('[data-status]');
    const buttons = [...this.querySelectorAll<HTMLButtonElement>('button')];
    const ask = async (reset: boolean) => {
      if (reset && !confirm(`Reset this lesson? Your ~/${folder} folder is moved aside as a dated copy, and a new one holds the starting files alone.`)) return;
      for (const button of buttons) button.disabled = true;
      if (status) status.textContent = 'Copying the starting files into your workspace…';
      try {
        const res = await fetch(`/api/lessons/${lesson}/files`, {
          method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(reset ? { reset: true } : {}),
        });
        const answer = (await res.json().catch(() => ({}))) as { message?: string; error?: string };
        if (status) status.textContent = answer.message ?? answer.error ?? `The server answered ${res.status}.`;
      } catch {
        if (status) status.textContent = 'The server could not be reached: try again in a moment, or type the command in the terminal.';
      } finally {
        for (const button of buttons) button.disabled = false;
      }
    };
    this.querySelector('[data-get]')?.addEventListener('click', () => void ask(false));
    this.querySelector('[data-reset]')?.addEventListener('click', () => void ask(true));
  }
}

if (!customElements.get('sc-lesson-files')) customElements.define('sc-lesson-files', ScLessonFiles);
