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
    // Close reasons are limited to 123 bytes by RFC 6455.
    return { ok: false, reason: `invalid frame: ${where}${issue.message}`.slice(0, 120) };
  }
  return { ok: true, frame: parsed.data };
}
