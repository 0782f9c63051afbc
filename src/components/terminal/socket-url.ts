// Where the terminal socket lives, derived from the page's own URL (no configuration to drift).
/** The terminal socket's URL for a page: same host, ws: for http: and wss: for https:, so the
 * HttpOnly session cookie goes along and the server's Origin check sees its own origin. */
export function terminalSocketUrl(pageUrl: string, path = '/ws/terminal'): string {
  const url = new URL(path, pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  return url.href;
}
