// The learner's session cookie: HttpOnly so page scripts cannot read it, SameSite=Lax so other sites
// cannot send it with their requests.

export const COOKIE_NAME = 'sc_session';
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/** The session token from a Cookie header, if present and well-formed. */
export function readSessionToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    const value = rest.join('=');
    if (name === COOKIE_NAME && /^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
}

export function sessionCookie(token: string): string {
  return `${COOKIE_NAME}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ONE_YEAR_SECONDS}`;
}
