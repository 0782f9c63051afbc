// Which browser origins may open a terminal socket: the served origin, loopback names for a loopback
// host, and the operator's extra list. A page on any other origin gets 403 (cross-site websocket hijacking).
// And the one address learners are sent to (join links, their QR codes).

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function allowedOrigins(host: string, port: number, extra: readonly string[]): Set<string> {
  const origins = new Set(extra.map((o) => o.replace(/\/+$/, '')));
  if (LOOPBACK.has(host)) {
    for (const name of ['127.0.0.1', 'localhost', '[::1]']) origins.add(`http://${name}:${port}`);
  } else if (host !== '0.0.0.0' && host !== '::') {
    origins.add(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  }
  return origins;
}

/**
 * The address learners open: the operator's first extra origin, else the served one. Never the
 * request's Host: the instructor may browse by another name (localhost, a tunnel) than learners can reach.
 */
export function publicOrigin(host: string, port: number, extra: readonly string[]): string {
  return extra[0]?.replace(/\/+$/, '') ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
