// Terminal websocket close codes, shared by server/terminal and the browser island.
// A module of its own with no imports, so the island gets them without pulling zod into its bundle.

/** Websocket close codes the server uses, so the client can tell them apart. */
export const CloseCode = {
  /** A frame failed validation (RFC 6455 policy violation). */
  invalidFrame: 1008,
  /** Another tab of the same learner took over the shell. */
  replaced: 4001,
  /** The shell exited (e.g. the learner typed `exit`); reconnecting starts a new one. */
  shellExited: 4002,
  /** The workspace could not be opened (engine down, images missing). */
  workspaceUnavailable: 4003,
} as const;
