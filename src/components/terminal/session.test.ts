// The panel's session step, against a fake fetch: once a session exists it goes on; a full lab is
// shown once and asked again later.
import { describe, expect, it } from 'vitest';
import { ensureSession } from './session.ts';

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('ensureSession', () => {
  it('goes on at once when the server makes or knows the session', async () => {
    const asked: string[] = [];
    const ok = await ensureSession({
      notice: () => { throw new Error('no notice expected'); }, gone: () => false, wait: async () => undefined,
      fetch: async (url, init) => { asked.push(`${init?.method} ${String(url)}`); return answer(201, { created: true }); },
    });
    expect(ok).toBe(true);
    expect(asked).toEqual(['POST /api/session']);
  });

  it('shows why the lab cannot take a new learner once, waits as told (at most 30 s), and tries again', async () => {
    const notices: string[] = [];
    const waits: number[] = [];
    const answers = [
      answer(503, { error: 'The lab is full: 2 workspaces are running. Try again in a few minutes.' }, { 'Retry-After': '60' }),
      answer(503, { error: 'The lab is full: 2 workspaces are running. Try again in a few minutes.' }, { 'Retry-After': '60' }),
      answer(201, { created: true }),
    ];
    const ok = await ensureSession({ notice: (m) => notices.push(m), gone: () => false, wait: async (ms) => void waits.push(ms), fetch: async () => answers.shift()! });
    expect(ok).toBe(true);
    expect(notices).toEqual(['The lab is full: 2 workspaces are running. Try again in a few minutes.']);
    expect(waits).toEqual([30_000, 30_000]);
  });

  it('stops asking when the panel is gone', async () => {
    let gone = false;
    const ok = await ensureSession({ notice: () => undefined, gone: () => gone, wait: async () => { gone = true; }, fetch: async () => { throw new TypeError('offline'); } });
    expect(ok).toBe(false);
  });
});
