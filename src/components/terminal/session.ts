// Before the terminal's first socket: make sure this browser has a learner session. Pages create
// nothing on the server; POST /api/session makes a learner (or answers that the cookie already names
// one). When the lab is full or this network has started too many learners lately, the server says
// so: the panel shows that message and asks again after a while.
import { backoffDelay, cleanNotice } from './client.ts';

export interface SessionOptions {
  /** Shows a message in the terminal panel (already free of control characters). */
  notice(message: string): void;
  /** Whether the panel is gone (then stop asking). */
  gone(): boolean;
  fetch?: typeof globalThis.fetch;
  wait?: (ms: number) => Promise<void>;
}

/** Dispatched on window once the browser has a learner session. */
export const SESSION_EVENT = 'stagecraft:session';

/** Longest wait between two asks, whatever Retry-After says: a place may free up any time. */
const MAX_WAIT_MS = 30_000;

/** Resolves once the browser has a session; false if the panel went away first. */
export async function ensureSession(options: SessionOptions): Promise<boolean> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const wait = options.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let shown = '';
  for (let attempt = 0; !options.gone(); attempt++) {
    let message: string;
    let retryAfterMs = 0;
    try {
      const response = await fetchImpl('/api/session', { method: 'POST', credentials: 'same-origin' });
      if (response.ok) {
        // Other parts of the page (the live check results) wait for a session to exist.
        if (typeof window !== 'undefined') window.dispatchEvent(new Event(SESSION_EVENT));
        return true;
      }
      const body = (await response.json().catch(() => ({}))) as { error?: unknown };
      message = typeof body.error === 'string' ? body.error : `The server answered ${response.status}; retrying.`;
      retryAfterMs = Number(response.headers.get('Retry-After') ?? 0) * 1000 || 0;
    } catch {
      message = 'The server cannot be reached; retrying.';
    }
    // Said once, however many times it is retried.
    if (message !== shown) options.notice(cleanNotice(message));
    shown = message;
    await wait(Math.min(MAX_WAIT_MS, Math.max(backoffDelay(attempt), retryAfterMs)));
  }
  return false;
}
