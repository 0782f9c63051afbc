// <sc-measure> and <sc-predict>: what the learner types in the lesson besides the terminal. Both
// save to the lesson's API and are filled in again from it on arrival. A measurement is then
// checked at once, by the lesson's check panel, against the learner's images.
import { parseMeasurement, type Quantity } from '../../schemas/measurement.ts';

interface Inputs {
  predictions: Record<string, { choice: string }>;
  measurements: Record<string, { typed: string }>;
}

/** One request per lesson page for what was typed before. */
const saved = new Map<string, Promise<Inputs | undefined>>();
const savedInputs = (lesson: string) => {
  if (!saved.has(lesson)) {
    saved.set(lesson, fetch(`/api/lessons/${lesson}/inputs`, { credentials: 'same-origin' })
      .then((r) => (r.ok ? (r.json() as Promise<Inputs>) : undefined)).catch(() => undefined));
  }
  return saved.get(lesson)!;
};

/** POSTs `body`; the server's sentence when it refuses. */
async function post(url: string, body: object): Promise<string | undefined> {
  try {
    const response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (response.ok) return undefined;
    const answer = (await response.json().catch(() => ({}))) as { error?: string };
    return answer.error ?? `the server answered ${response.status}`;
  } catch {
    return 'the server could not be reached; try again in a moment';
  }
}

class ScMeasure extends HTMLElement {
  connectedCallback(): void {
    const { lesson, check, quantity } = this.dataset as { lesson: string; check: string; quantity: Quantity };
    const form = this.querySelector('form')!;
    const input = this.querySelector('input')!;
    const status = this.querySelector<HTMLElement>('[data-measure-status]')!;
    const say = (text: string, kind: 'info' | 'error' = 'info') => {
      status.textContent = text;
      status.dataset.kind = kind;
      input.setAttribute('aria-invalid', String(kind === 'error'));
    };
    void savedInputs(lesson).then((inputs) => {
      const mine = inputs?.measurements[check];
      if (mine && input.value === '') input.value = mine.typed;
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const parsed = parseMeasurement(input.value, quantity);
      if (!parsed.ok) return say(`Not saved: ${parsed.error}.`, 'error');
      say('Saving…');
      const refused = await post(`/api/lessons/${lesson}/measurements`, { check, typed: input.value });
      if (refused) return say(`Not saved: ${refused}.`, 'error');
      say('Saved. Checking it against your images…');
      const panel = document.querySelector<HTMLElement & { run(): Promise<void> }>('sc-check-panel');
      await panel?.run();
      const verdict = document.querySelector<HTMLElement>(`li[data-check-id="${CSS.escape(check)}"]`)?.dataset.checkStatus;
      say(verdict === 'pass' ? 'Saved: it matches your images.' : verdict === 'fail' ? 'Saved, but it does not match your images yet: see Check your work below.' : 'Saved.');
    });
  }
}

class ScPredict extends HTMLElement {
  connectedCallback(): void {
    const { lesson, question } = this.dataset as { lesson: string; question: string };
    const form = this.querySelector('form')!;
    const status = this.querySelector<HTMLElement>('[data-predict-status]')!;
    void savedInputs(lesson).then((inputs) => {
      const mine = inputs?.predictions[question];
      const radio = mine && form.querySelector<HTMLInputElement>(`input[value="${CSS.escape(mine.choice)}"]`);
      if (radio && !form.querySelector('input:checked')) {
        radio.checked = true;
        status.textContent = 'Your prediction is saved. Now try it.';
      }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const choice = form.querySelector<HTMLInputElement>('input:checked')?.value;
      if (!choice) return void (status.textContent = 'Pick one answer first.');
      const refused = await post(`/api/lessons/${lesson}/predictions`, { question, choice });
      status.textContent = refused ? `Not saved: ${refused}.` : 'Saved. Now try it, and see whether you were right.';
    });
  }
}

if (!customElements.get('sc-measure')) customElements.define('sc-measure', ScMeasure);
if (!customElements.get('sc-predict')) customElements.define('sc-predict', ScPredict);
