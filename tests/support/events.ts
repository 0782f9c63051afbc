// Reading server-sent event streams in tests: the first event of a stream, or the first of a kind
// that arrives within a deadline (never a sleep).

export interface StreamEvent { event: string; data: string }

/** An open event stream; `next(kind)` waits for the next event of that kind, up to `timeoutMs`. */
export async function openEvents(url: string, cookie: string): Promise<{ next(kind?: string, timeoutMs?: number): Promise<StreamEvent>; close(): void }> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { Cookie: cookie }, signal: controller.signal });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    async next(kind, timeoutMs = 10_000) {
      const deadline = setTimeout(() => controller.abort(), timeoutMs);
      try {
        for (;;) {
          for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            const found = /^event: (\S+)\ndata: (.*)$/m.exec(block);
            if (found && (kind === undefined || found[1] === kind)) return { event: found[1]!, data: found[2]! };
          }
          const { value, done } = await reader.read().catch((error: unknown) => {
            throw new Error(`no ${kind ?? 'event'} within ${timeoutMs} ms (${String(error)})`);
          });
          if (done) throw new Error(`the stream ended before ${kind ?? 'an event'}: ${text}`);
          text += decoder.decode(value, { stream: true });
        }
      } finally {
        clearTimeout(deadline);
      }
    },
    close: () => controller.abort(),
  };
}

/** The first server-sent event of a stream (the lesson page's live results). */
export async function firstEvent(url: string, cookie: string): Promise<StreamEvent> {
  const events = await openEvents(url, cookie);
  try {
    return await events.next();
  } finally {
    events.close();
  }
}
