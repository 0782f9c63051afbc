// The learner's session cookie: HttpOnly so page scripts cannot read it, SameSite=Lax so other sites
// cannot send it with their requests.

export const COOKIE_NAME = 'sc_session';
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/** The instructor's session: a separate cookie, SameSite=Strict (no link from elsewhere carries it). */
export const INSTRUCTOR_COOKIE = 'sc_instructor';

/** A token cookie from a Cookie header, if present and well-formed. */
export function readCookie(header: string | undefined, cookie: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    const value = rest.join('=');
    if (name === cookie && /^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
}

/** The learner's session token from a Cookie header, if present and well-formed. */
export const readSessionToken = (header: string | undefined) => readCookie(header, COOKIE_NAME);

export function instructorCookie(token: string, maxAge: number): string {
  return `${INSTRUCTOR_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`;
}

export function sessionCookie(token: string): string {
  return `${COOKIE_NAME}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ONE_YEAR_SECONDS}`;
}
