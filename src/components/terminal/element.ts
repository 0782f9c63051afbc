// <sc-terminal>: the terminal panel's custom element. It stays tiny: xterm and the socket client
// (./view.ts) come with import(), fetched as soon as the panel is on the page and started only
// once it is on screen.
import type { TerminalState } from './client.ts';
import { terminalSocketUrl } from './socket-url.ts';
import type { MountedTerminal } from './view.ts';
import { PASTE_EVENT } from './paste-buttons.ts';

const NEW_SHELL_QUESTION = 'End this shell and everything running in it, and start a new one? Files in your home folder are kept.';

const PASTE_WAITING = 'Your copied command waits for the shell\'s prompt. No prompt showing? Press Enter in the terminal.';

const STATUS: Record<TerminalState, string> = {
  connecting: 'Connecting to your workspace…',
  ready: 'Connected to your workspace.',
  closed: 'This shell is now open in another tab.',
};

class ScTerminal extends HTMLElement {
  #observer: IntersectionObserver | undefined;
  #mounted: MountedTerminal | undefined;
  #gone = false;
  #view: Promise<typeof import('./view.ts')> | undefined;
  /** What "Copy to terminal" sent before the terminal was loaded (the latest only). */
  #queued: string | undefined;
  readonly #onPaste = (event: Event) => {
    const text = (event as CustomEvent<string>).detail;
    if (this.#mounted) this.#mounted.paste(text);
    else this.#queued = text;
  };

  connectedCallback(): void {
    this.#gone = false;
    // Fetched now, in parallel with the page's first layout, rather than after it (the observer
    // answers only once the page is laid out): a failure is handled where it is awaited.
    this.#view ??= import('./view.ts');
    this.#view.catch(() => undefined);
    // "Copy to terminal" buttons in the lesson send their text here (./paste-buttons.ts).
    window.addEventListener(PASTE_EVENT, this.#onPaste);
    this.#observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        this.#observer?.disconnect();
        void this.#load();
      },
      // Start a little before the panel scrolls into view (stacked layout on narrow screens).
      { rootMargin: '200px' },
    );
    this.#observer.observe(this);
  }

  disconnectedCallback(): void {
    this.#gone = true;
    window.removeEventListener(PASTE_EVENT, this.#onPaste);
    this.#observer?.disconnect();
    this.#mounted?.dispose();
    this.#mounted = undefined;
  }

  async #load(): Promise<void> {
    const section = this.querySelector<HTMLElement>('section[data-state]');
    const host = this.querySelector<HTMLElement>('[data-terminal-host]');
    const status = this.querySelector<HTMLElement>('[data-terminal-status]');
    const reconnect = this.querySelector<HTMLButtonElement>('[data-terminal-reconnect]');
    const newShell = this.querySelector<HTMLButtonElement>('[data-terminal-new-shell]');
    const hint = this.querySelector<HTMLElement>('[data-terminal-hint]');
    if (!section || !host || !status || !reconnect || !newShell || !hint) throw new Error('sc-terminal: missing parts');

    const onState = (state: TerminalState) => {
      section.dataset.state = state;
      status.textContent = STATUS[state];
      reconnect.hidden = state !== 'closed';
      newShell.hidden = state !== 'ready';
    };
    // Asked now, while the terminal's code loads: the server starts the workspace meanwhile. The
    // terminal's own ask (./session.ts) comes after this answer, so both name the same learner.
    const session = fetch('/api/session', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
    let view: typeof import('./view.ts');
    try {
      [view] = await Promise.all([this.#view ?? import('./view.ts'), session]);
    } catch {
      // A failed chunk load (offline, new deploy) is not a socket state; say so and stay `connecting`.
      status.textContent = 'The terminal could not be loaded. Reload the page to try again.';
      return;
    }
    if (this.#gone) return;
    const url = terminalSocketUrl(location.href, this.dataset.path ?? '/ws/terminal');
    const onNotice = (message: string) => { status.textContent = message; };
    const onPasteWaiting = (waiting: boolean) => {
      status.textContent = waiting ? PASTE_WAITING : STATUS[(section.dataset.state ?? 'connecting') as TerminalState];
    };
    const mounted = await view.mountTerminal({ host, url, hintId: hint.id, onState, onNotice, onLeave: (backwards) => leaveTerminal(backwards), onPasteWaiting });
    if (this.#gone) return mounted.dispose();
    this.#mounted = mounted;
    if (this.#queued !== undefined) mounted.paste(this.#queued);
    this.#queued = undefined;
    reconnect.addEventListener('click', () => this.#mounted?.client.reconnectNow());
    newShell.addEventListener('click', () => {
      if (confirm(NEW_SHELL_QUESTION)) this.#mounted?.client.newShell();
    });
  }
}

/**
 * Where Esc then Tab goes. The terminal is the page's last control, so the browser would take focus
 * out of the page: forwards goes to what a learner does next (the lesson's Check button, else the
 * next lesson), backwards to the control before the terminal (the divider beside it). On a narrow
 * screen, where the terminal is shown alone, both go to the switch back to the lesson.
 */
const LEAVE_TO = {
  forwards: ['[data-check-run]', 'a[rel="next"]', '#lesson', '.view-switch [data-show="lesson"]'],
  backwards: ['.gutter', '#lesson', '.view-switch [data-show="lesson"]'],
};

function leaveTerminal(backwards: boolean): boolean {
  for (const selector of LEAVE_TO[backwards ? 'backwards' : 'forwards']) {
    const target = document.querySelector<HTMLElement>(selector);
    // Hidden ones (display: none, as the divider on a narrow screen) cannot take focus.
    if (!target || target.getClientRects().length === 0) continue;
    target.focus();
    if (document.activeElement === target) return true;
  }
  return false;
}

if (!customElements.get('sc-terminal')) customElements.define('sc-terminal', ScTerminal);
