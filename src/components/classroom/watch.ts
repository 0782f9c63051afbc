// The instructor's read-only view of a learner's terminal: output only, no keystrokes go anywhere.
// Loaded with import() when the instructor presses Watch, so the gradebook page ships no xterm.
import { Terminal } from '@xterm/xterm';
import xtermCssUrl from '@xterm/xterm/css/xterm.css?url';
import { loadStylesheet, THEME } from '../terminal/view.ts';

export interface Watching { close(): void }

export async function watchTerminal(host: HTMLElement, classId: number, learnerId: string, onNotice: (text: string) => void): Promise<Watching> {
  await loadStylesheet(xtermCssUrl);
  const term = new Terminal({ disableStdin: true, fontSize: 13, rows: 20, cols: 100, theme: THEME, scrollback: 2000 });
  term.open(host);
  term.textarea?.setAttribute('aria-label', 'Read-only view of the learner\'s terminal');
  const url = new URL(`/ws/watch?class=${classId}&learner=${encodeURIComponent(learnerId)}`, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  socket.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return term.write(new Uint8Array(event.data as ArrayBuffer));
    const frame = JSON.parse(event.data) as { type: string; message?: string };
    if (frame.type === 'attached') term.reset();
  });
  socket.addEventListener('close', (event) => onNotice(event.reason || 'The view has closed.'));
  return { close: () => { socket.close(); term.dispose(); } };
}
