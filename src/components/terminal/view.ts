// The terminal view: xterm.js in the panel, wired to the socket client. <sc-terminal> loads this
// module with import() when the panel first becomes visible, so pages without it ship no xterm.
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
// As a URL, not a side-effect import: Astro would hoist an imported stylesheet into the page's <head>,
// and this one should load only with the terminal.
import xtermCssUrl from '@xterm/xterm/css/xterm.css?url';
import { TerminalClient, type TerminalState } from './client.ts';
import { ensureSession } from './session.ts';

/** Dark theme; every ANSI colour has ≥ 4.5:1 contrast on the background (WCAG AA). */
export const THEME: ITheme = {
  background: '#0d1117', foreground: '#e6edf3', cursor: '#f0f6fc', cursorAccent: '#0d1117',
  selectionBackground: '#3b5070', selectionForeground: '#ffffff',
  black: '#8b949e', red: '#ff7b72', green: '#7ee787', yellow: '#f2cc60', blue: '#79c0ff',
  magenta: '#d2a8ff', cyan: '#76e3ea', white: '#e6edf3',
  brightBlack: '#b1bac4', brightRed: '#ffa198', brightGreen: '#aff5b4', brightYellow: '#f8e3a1',
  brightBlue: '#a5d6ff', brightMagenta: '#e2c5ff', brightCyan: '#b3f0ff', brightWhite: '#ffffff',
};

/** Escape, then Tab within this many ms, leaves the terminal (Tab alone goes to the shell). */
const LEAVE_WINDOW_MS = 1000;
/** Fits wait for the layout to settle (window resize, split drag) before resizing the pty. */
const FIT_DEBOUNCE_MS = 80;

export interface MountOptions {
  /** Element xterm renders into; it must have a size. */
  host: HTMLElement;
  /** Absolute ws(s) URL of the terminal socket. */
  url: string;
  /** Id of the element describing how to leave the terminal (aria-describedby of xterm's input). */
  hintId: string;
  onState(state: TerminalState): void;
  /** A server notice, also for the panel's status line (screen readers hear it there). */
  onNotice(message: string): void;
  /** Esc then Tab (or Shift+Tab): focus the control to go to; false lets the browser move focus. */
  onLeave?(backwards: boolean): boolean;
  /** A paste waits for the shell's prompt (true), or has landed (false). */
  onPasteWaiting?(waiting: boolean): void;
}

export interface MountedTerminal {
  client: TerminalClient;
  /**
   * Puts text at the shell's prompt as a paste (bracketed, so the shell waits for Enter) and focuses
   * the terminal. Until the shell shows a prompt (still starting, or busy with a command), the text
   * waits, the latest only: sent earlier, its line breaks would run it.
   */
  paste(text: string): void;
  dispose(): void;
}

/** Adds xterm's stylesheet once and waits for it: xterm measures its cells when it opens. */
export function loadStylesheet(href: string): Promise<void> {
  if (document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) return Promise.resolve();
  return new Promise((resolve) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    // On error the terminal still works, only unstyled: go on rather than hang.
    link.onload = link.onerror = () => resolve();
    document.head.append(link);
  });
}

export async function mountTerminal({ host, url, hintId, onState, onNotice, onLeave, onPasteWaiting }: MountOptions): Promise<MountedTerminal> {
  await loadStylesheet(xtermCssUrl);
  const term = new Terminal({
    cursorBlink: true,
    fontSize: 14,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, monospace',
    scrollback: 5000,
    theme: THEME,
    // Lets xterm lift colours a program chose badly (e.g. dark blue on black) to readable ones.
    minimumContrastRatio: 4.5,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(host);
  term.textarea?.setAttribute('aria-label', 'Terminal input');
  term.textarea?.setAttribute('aria-describedby', hintId);

  let escapeAt = -Infinity;
  term.attachCustomKeyEventHandler((ev) => {
    if (ev.type !== 'keydown') return true;
    if (ev.key === 'Escape') {
      escapeAt = ev.timeStamp;
      return true; // Escape still reaches the shell (editors need it)
    }
    if (ev.key === 'Tab' && !ev.ctrlKey && !ev.altKey && !ev.metaKey && ev.timeStamp - escapeAt <= LEAVE_WINDOW_MS) {
      escapeAt = -Infinity;
      if (onLeave?.(ev.shiftKey)) ev.preventDefault();
      return false; // xterm ignores it and does not preventDefault: unless focus moved above, the browser moves it
    }
    if (ev.key !== 'Shift') escapeAt = -Infinity;
    return true;
  });

  const notice = (message: string) => {
    term.write(`\r\n\x1b[2m[${message}]\x1b[0m\r\n`);
    onNotice(message);
  };
  const client = new TerminalClient({
    url,
    onState,
    sink: {
      write: (bytes, done) => term.write(bytes, done),
      reset: () => term.reset(),
      notice,
      size: () => (term.cols > 0 && term.rows > 0 ? { cols: term.cols, rows: term.rows } : undefined),
    },
  });
  term.onData((data) => client.input(data));
  term.onResize(({ cols, rows }) => client.resize(cols, rows));

  const safeFit = () => {
    // FitAddon measures the host; a hidden host (display: none) has no size, so skip until it does.
    if (host.clientWidth > 0 && host.clientHeight > 0) fit.fit();
  };
  let fitTimer: ReturnType<typeof setTimeout> | undefined;
  const observer = new ResizeObserver(() => {
    clearTimeout(fitTimer);
    fitTimer = setTimeout(safeFit, FIT_DEBOUNCE_MS);
  });
  observer.observe(host);
  safeFit();
  // The monospace font may arrive after the first fit and change the cell size.
  void document.fonts?.ready.then(safeFit);

  // Back online: skip the rest of the backoff, unless another tab holds the shell.
  let started = false;
  let disposed = false;
  let waiting: { dispose(): void } | undefined;
  const online = () => {
    if (started && client.state !== 'closed') client.reconnectNow();
  };
  window.addEventListener('online', online);
  // The socket needs a session, and pages do not make one (see ./session.ts).
  void ensureSession({ notice, gone: () => disposed }).then((ok) => {
    if (!ok || disposed) return;
    started = true;
    client.start();
  });

  return {
    client,
    paste(text) {
      waiting?.dispose();
      const send = () => {
        if (!term.modes.bracketedPasteMode) return false;
        waiting?.dispose();
        waiting = undefined;
        term.paste(text);
        onPasteWaiting?.(false);
        // On the next frame: the paste may just have brought a hidden terminal up (a phone's view switch).
        requestAnimationFrame(() => term.focus());
        return true;
      };
      // Bash turns bracketed paste on at each prompt and off while a command runs. A shell this page
      // joined at a prompt it printed earlier shows none until Enter: the learner is told, and the
      // terminal gets the keyboard for that Enter.
      if (!send()) {
        waiting = term.onWriteParsed(send);
        onPasteWaiting?.(true);
        requestAnimationFrame(() => term.focus());
      }
    },
    dispose() {
      disposed = true;
      waiting?.dispose();
      window.removeEventListener('online', online);
      observer.disconnect();
      clearTimeout(fitTimer);
      client.dispose();
      term.dispose();
    },
  };
}
