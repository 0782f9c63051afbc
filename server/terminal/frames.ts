// The edge of the terminal socket: every inbound frame is parsed once here into a ClientFrame.
import { ClientFrame } from '../../src/schemas/frames.ts';

export type FrameResult = { ok: true; frame: ClientFrame } | { ok: false; reason: string };

export function parseClientFrame(data: Buffer, isBinary: boolean): FrameResult {
  if (isBinary) return { ok: false, reason: 'binary frames are not accepted' };
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  const parsed = ClientFrame.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, reason: closeReason(`invalid frame: ${where}${issue.message}`) };
  }
  return { ok: true, frame: parsed.data };
}

/** A close reason within RFC 6455's 123 bytes, cut on a character boundary (a field name may be UTF-8). */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}
