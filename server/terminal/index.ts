// The terminal: websocket connections of signed-in learners, each attached to that learner's one shell.
// It knows nothing of grading or of Docker; it asks `openShell` for a stream.
import type { WebSocket } from 'ws';
import { CloseCode } from '../../src/schemas/frames.ts';
import { WorkspaceUnavailable, type ShellStream } from '../sandbox/index.ts';
import { TerminalSession } from './session.ts';

export { FLOW } from './session.ts';
export { parseClientFrame } from './frames.ts';

export interface TerminalHub {
  /** Attaches an authenticated socket to the learner's shell, opening the shell if there is none. */
  attach(socket: WebSocket, learnerId: string): void;
  /** Learners with a live shell. */
  readonly activeLearners: number;
  /** Attaches a read-only viewer to the learner's shell; false when the learner has no open shell. */
  watch(socket: WebSocket, learnerId: string): boolean;
  /** Whether a browser shows the learner's shell now. */
  isAttached(learnerId: string): boolean;
  /** Whether the learner has a shell (open or opening): their next socket reattaches to it. */
  hasShell(learnerId: string): boolean;
  close(): void;
}

export function createTerminalHub(openShell: (learnerId: string, size: { cols: number; rows: number }) => Promise<ShellStream>): TerminalHub {
  const sessions = new Map<string, TerminalSession>();
  return {
    attach(socket, learnerId) {
      let session = sessions.get(learnerId);
      // A shell that ended while no page showed it (its workspace stopped) is still finding out why;
      // a socket that comes now gets a new shell rather than that news and a close.
      if (session && session.shellGone && !session.attached) session = undefined;
      if (!session) {
        const created = new TerminalSession(() => {
          if (sessions.get(learnerId) === created) sessions.delete(learnerId);
        });
        sessions.set(learnerId, created);
        openShell(learnerId, { cols: 80, rows: 24 }).then(
          (shell) => created.start(shell),
          (error: unknown) => {
            // A known cause (its engine is down) is the learner's to read; anything else is the log's.
            if (error instanceof WorkspaceUnavailable) return created.end(CloseCode.workspaceUnavailable, error.message);
            console.error(`terminal: could not open the workspace of ${learnerId}:`, error);
            created.end(CloseCode.workspaceUnavailable, 'Your workspace could not be started. The server log says why; try again in a moment.');
          },
        );
        session = created;
      }
      session.attach(socket);
    },
    watch(socket, learnerId) {
      const session = sessions.get(learnerId);
      if (!session) return false;
      session.watch(socket);
      return true;
    },
    isAttached: (learnerId) => sessions.get(learnerId)?.attached ?? false,
    hasShell: (learnerId) => sessions.has(learnerId),
    get activeLearners() {
      return sessions.size;
    },
    close() {
      for (const session of [...sessions.values()]) session.end(1001, 'The server is shutting down.');
    },
  };
}
