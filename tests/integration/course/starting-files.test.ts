// Any lesson can be started first: its starting files come into the learner's home by the page's
// button (POST /api/lessons/<slug>/files) or by the command the lesson shows, and nothing of the
// learner's is lost (a folder whose files would change is kept as a dated copy first).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, sessionCookie, type TerminalClient } from '../../support/terminal-client.ts';
import { run } from '../../support/shell.ts';

let server: TestServer;
let cookie: string;
let terminal: TerminalClient;

beforeAll(async () => {
  server = await startTestServer();
  cookie = await sessionCookie(server.url);
  terminal = await openTerminal(server.url, cookie);
});

afterAll(async () => {
  await terminal?.close();
  await server?.cleanup();
});

const startingFiles = (slug: string) => fs.readdirSync(path.join(import.meta.dirname, '../../../lessons', slug, 'files')).filter((n) => n !== '.gitkeep').sort();
const ask = (slug: string, body: unknown, as = cookie) => fetch(`${server.url}/api/lessons/${slug}/files`, {
  method: 'POST', headers: { Origin: server.url, Cookie: as, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});

describe('starting files', () => {
  it('puts a lesson\'s starting files into its folder of a new learner\'s home', async () => {
    const res = await ask('why-small', {});
    expect(res.status).toBe(200);
    const { message } = await res.json() as { message: string };
    expect(message).toContain('The starting files of the why-small lesson are in ~/hello');
    expect(message).not.toContain('kept');
    expect((await run(terminal, 'ls -A ~/hello')).split(/\s+/).filter(Boolean).sort()).toEqual(startingFiles('why-small'));
    expect(await run(terminal, 'cmp ~/hello/hello.c /run/stagecraft/lessons/why-small/files/hello.c && echo same')).toBe('same\n');
  });

  it('keeps a dated copy of the learner\'s folder before a starting file replaces one of theirs', async () => {
    await run(terminal, 'echo "/* mine */" >> ~/hello/hello.c; echo notes > ~/hello/notes.txt');
    // Unchanged files are no reason for a copy; a changed one is.
    const { message } = await (await ask('why-small', {})).json() as { message: string };
    const kept = /Your earlier ~\/hello is kept as ~\/(hello\.\d{4}-\d\d-\d\d-\d{6})\./.exec(message)?.[1];
    expect(kept).toBeDefined();
    expect(await run(terminal, `tail -n 1 ~/${kept}/hello.c; cat ~/${kept}/notes.txt ~/hello/notes.txt`)).toBe('/* mine */\nnotes\nnotes\n');
    expect(await run(terminal, 'grep -c mine ~/hello/hello.c || true')).toBe('0\n');
    const again = await (await ask('why-small', {})).json() as { message: string };
    expect(again.message).not.toContain('kept');
  });

  it('resets the lesson\'s folder to its starting files alone, the old one moved aside', async () => {
    const { message } = await (await ask('why-small', { reset: true })).json() as { message: string };
    const kept = /kept as ~\/(hello\.[\d-]+(?:-again)*)\./.exec(message)?.[1];
    expect(kept).toBeDefined();
    expect(await run(terminal, `cat ~/${kept}/notes.txt; ls -A ~/hello | sort | tr '\\n' ' '`)).toBe(`notes\n${startingFiles('why-small').join(' ')} `);
  });

  it('is the command the lesson shows, too, which says which lessons have starting files when asked wrongly', async () => {
    expect(await run(terminal, '/run/stagecraft/lesson-files multi-stage | tail -n 1')).toContain('The starting files of the multi-stage lesson are in ~/hello');
    const wrong = await run(terminal, '/run/stagecraft/lesson-files nothing-here; echo "exit $?"');
    expect(wrong).toMatch(/which lesson\? These have starting files: .*multi-stage.*why-small/);
    expect(wrong).toMatch(/exit 2\n$/);
  });

  it('refuses a lesson without starting files, a body it does not take, and a visitor from another origin', async () => {
    const none = await ask('single-stage', {});
    expect(none.status).toBe(404);
    expect((await none.json() as { error: string }).error).toBe('the single-stage lesson has no starting files');
    const extra = await ask('why-small', { reset: 'yes' });
    expect(extra.status).toBe(400);
    expect((await extra.json() as { error: string }).error).toBe('reset is true or false');
    const cross = await fetch(`${server.url}/api/lessons/why-small/files`, { method: 'POST', headers: { Origin: 'http://evil.example', Cookie: cookie, 'Content-Type': 'application/json' }, body: '{}' });
    expect(cross.status).toBe(403);
  });
});
