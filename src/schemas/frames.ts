// Terminal websocket frames, shared by the browser island and server/terminal.
// Output travels as binary frames (raw shell bytes); everything else is JSON text with a `type`.
import { z } from 'zod';

/** Terminal columns or rows: a whole number of cells; anything outside 1..1000 is refused. */
const CellCount = z.number().int().min(1).max(1000);

/** Frames the browser sends. One spelling per field; unknown types are refused. */
export const ClientFrame = z.discriminatedUnion('type', [
  /** Keystrokes or pasted text, UTF-8, at most 16 KiB per frame. */
  z.object({ type: z.literal('input'), data: z.string().max(16_384) }).strict(),
  /** The visible size of the terminal, in cells. */
  z.object({ type: z.literal('resize'), cols: CellCount, rows: CellCount }).strict(),
  /** Total output bytes the browser has rendered since this socket opened (flow control). */
  z.object({ type: z.literal('ack'), bytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) }).strict(),
  /** Keep-alive; answered with `pong`. */
  z.object({ type: z.literal('ping') }).strict(),
  /** End this shell and everything the learner started in the workspace (a job Ctrl+C cannot stop,
   * a kept shell still chewing a huge paste); the socket closes and the next one gets a new shell.
   * Files are kept. */
  z.object({ type: z.literal('new-shell') }).strict(),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

/** JSON frames the server sends (output itself is a binary frame). */
export const ServerFrame = z.discriminatedUnion('type', [
  /** The shell is attached; `replayed` bytes of earlier output follow first. */
  z.object({ type: z.literal('attached'), replayed: z.number().int().nonnegative() }),
  /** Answer to `ping`. */
  z.object({ type: z.literal('pong') }),
  /** A human-readable message for the learner, e.g. why the socket is closing. */
  z.object({ type: z.literal('notice'), message: z.string() }),
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** Websocket close codes the server uses; defined in ./close-code.ts so the browser island can
 * import them without bundling zod. */
export { CloseCode } from './close-code.ts';
