// A test client for the terminal socket that speaks the real protocol, as the browser does.
import WebSocket from 'ws';

/** A new learner's session cookie: pages create none, a POST /api/session does (as the terminal panel's). */
export async function sessionCookie(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/session`, { method: 'POST', headers: { Origin: baseUrl } });
  const cookie = res.headers.get('set-cookie');
  if (res.status !== 201 || !cookie) throw new Error(`the server set no session cookie (${res.status} ${await res.text()})`);
  return cookie.split(';')[0]!;
}

export class TerminalClient {
  readonly socket: WebSocket;
  output = '';
  closeCode: number | undefined;
  closeReason = '';
  readonly frames: unknown[] = [];
  #rendered = 0;

  /** The session cookie this client connected with, to reconnect as the same learner. */
  readonly cookie: string | undefined;

  constructor(baseUrl: string, options: { cookie?: string; origin?: string; autoAck?: boolean; path?: string } = {}) {
    this.cookie = options.cookie;
    const headers: Record<string, string> = {};
    if (options.cookie) headers.Cookie = options.cookie;
    headers.Origin = options.origin ?? baseUrl;
    this.socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${options.path ?? '/ws/terminal'}`, { headers });
    this.socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return void this.frames.push(JSON.parse(data.toString()));
      this.output += data.toString('utf8');
      this.#rendered += data.length;
      if (options.autoAck !== false) this.send({ type: 'ack', bytes: this.#rendered });
    });
    this.socket.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
      this.socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  type(text: string): void {
    this.send({ type: 'input', data: text });
  }

  /** Waits until the output (since `from`) matches. */
  async waitFor(pattern: RegExp | string, timeoutMs = 30_000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const matches = () => (typeof pattern === 'string' ? this.output.indexOf(pattern, from) >= 0 : pattern.test(this.output.slice(from)));
    while (!matches()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${this.output.slice(-2000)}`);
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) while waiting for ${pattern}; output:\n${this.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.output;
  }

  /** Sends a ping and waits for its pong: the server has handled everything it had before it. */
  async roundTrip(timeoutMs = 10_000): Promise<void> {
    const pongs = () => this.frames.filter((f) => (f as { type?: string }).type === 'pong').length;
    const before = pongs();
    this.send({ type: 'ping' });
    const deadline = Date.now() + timeoutMs;
    while (pongs() === before) {
      if (Date.now() > deadline) throw new Error('no pong');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  closed(): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => this.socket.once('close', (code) => resolve(code)));
  }

  close(): Promise<number> {
    this.socket.close();
    return this.closed();
  }
}

/** The notice of a shell that kept running with no terminal (the server restarted): it shows its prompt on Enter. */
export const isKeptShellNotice = (frame: unknown) => (frame as { type?: string }).type === 'notice' && /kept running/.test((frame as { message: string }).message);

/**
 * A new learner (or the one behind `cookie`) with a terminal at its prompt: a new shell's first
 * one, or, for a shell that kept running (the server was restarted), the one Enter brings.
 */
export async function openTerminal(baseUrl: string, cookie?: string): Promise<TerminalClient> {
  const terminal = new TerminalClient(baseUrl, { cookie: cookie ?? await sessionCookie(baseUrl) });
  await terminal.opened();
  const deadline = Date.now() + 30_000;
  while (!terminal.output.includes('$ ') && !terminal.frames.some(isKeptShellNotice)) {
    if (Date.now() > deadline || terminal.closeCode !== undefined) return terminal.waitFor('$ ', 0).then(() => terminal); // throws, saying why
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!terminal.output.includes('$ ')) {
    terminal.type('\r');
    await terminal.waitFor('$ ');
  }
  return terminal;
}
