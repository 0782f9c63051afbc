import { describe, expect, it } from 'vitest';
import { readSessionToken, sessionCookie } from './session-cookie.ts';

const token = 'a'.repeat(43);

describe('session cookie', () => {
  it('reads the token among other cookies', () => {
    expect(readSessionToken(`theme=dark; sc_session=${token}; x=1`)).toBe(token);
  });

  it('ignores a malformed or missing token', () => {
    expect(readSessionToken(undefined)).toBeUndefined();
    expect(readSessionToken('sc_session=short')).toBeUndefined();
    expect(readSessionToken(`sc_session=${'a'.repeat(42)};`)).toBeUndefined();
    expect(readSessionToken(`sc_session=${'a'.repeat(42)}'`)).toBeUndefined();
  });

  it('is HttpOnly and SameSite', () => {
    expect(sessionCookie(token)).toBe(`sc_session=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`);
  });
});
