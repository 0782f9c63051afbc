// Our reader against the expected instructions of every case in the corpus (tests/corpus/dockerfiles),
// written in the engine's own parser-test notation; tests/integration/sandbox/dockerfile-differential.test.ts
// proves the same cases against the real engine.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { processWord } from './lex.ts';
import { dump, parse } from './parser.ts';

const corpus = path.resolve(import.meta.dirname, '../../tests/corpus/dockerfiles');

describe('parse, on the corpus', () => {
  it.each(readdirSync(corpus).sort())('%s', (name) => {
    const parsed = parse(readFileSync(path.join(corpus, name, 'Dockerfile'), 'utf8'));
    const got = parsed.ok ? parsed.value.nodes.map((node) => `(${dump(node)})\n`).join('') : `error line ${parsed.error.line}: ${parsed.error.message}\n`;
    expect(got).toBe(readFileSync(path.join(corpus, name, 'result'), 'utf8'));
  });
});

describe('parse', () => {
  it('counts lines as the engine does, so errors name the learner\'s line', () => {
    const parsed = parse('# escape=`\n\nFROM x\nRUN a `\n  b `\n  c\n\nCOPPY a b\n');
    expect(parsed.ok && parsed.value.nodes.map((n) => [n.cmd, n.startLine, n.endLine])).toEqual([['from', 3, 3], ['run', 4, 6], ['coppy', 8, 8]]);
  });

  // Found in the review: a regular expression anchored at the end backtracked quadratically on these,
  // and one build request held the server's only thread for 14 s. They must parse at once.
  it('reads a directive or an instruction padded with 60 KB of blanks', () => {
    const directive = parse(`#a=x${' '.repeat(61_300)}y
FROM stagecraft/runtime
`);
    expect(directive.ok && directive.value.nodes.map((n) => n.cmd)).toEqual(['from']);
    const padded = parse(`FROM stagecraft/runtime
RUN a${' '.repeat(61_000)}b
`);
    expect(padded.ok && padded.value.nodes[1]!.values[0]!.length).toBe(61_002);
  });

  it('keeps a lone blank as a directive\'s value, as the engine\'s lazy match does', () => {
    expect(parse('# escape=   \nFROM x\n')).toMatchObject({ ok: false, error: { message: "invalid escape token ' ' does not match ` or \\" } });
  });

  it('joins a keyword split over a continuation, as the engine does', () => {
    const parsed = parse('FR\\\nOM theirs\nAD\\\nD http://127.0.0.1/ /x\n');
    expect(parsed.ok && parsed.value.nodes.map((n) => dump(n))).toEqual(['from "theirs"', 'add "http://127.0.0.1/" "/x"']);
  });
});

describe('processWord', () => {
  it.each([
    ['plain', 'org.stagecraft.role', { ok: true, value: 'org.stagecraft.role' }],
    ['double quotes', '"org.stagecraft.role"', { ok: true, value: 'org.stagecraft.role' }],
    ['single quotes', "'org.stagecraft.role'", { ok: true, value: 'org.stagecraft.role' }],
    ['an escape', 'org\\.stagecraft.role', { ok: true, value: 'org.stagecraft.role' }],
    ['concatenated quotes', 'org."stage"\'craft\'.role', { ok: true, value: 'org.stagecraft.role' }],
    ['a lone dollar', 'a$', { ok: true, value: 'a$' }],
    ['an escaped dollar', 'org.\\$x', { ok: true, value: 'org.$x' }],
    ['a dollar in single quotes', "'$x'", { ok: true, value: '$x' }],
    ['an escape in double quotes before a letter', '"a\\b"', { ok: true, value: 'a\\b' }],
  ])('%s', (_what, word, expected) => {
    expect(processWord(word, '\\')).toEqual(expected);
  });

  it.each(['org.$x.role', 'org.${x}.role', '"org.$x"', '$1', '${x:-stagecraft}'])('%s uses a variable', (word) => {
    expect(processWord(word, '\\')).toMatchObject({ ok: false, reason: 'variable' });
  });

  it('follows the escape directive', () => {
    expect(processWord('org`.x\\y', '`')).toEqual({ ok: true, value: 'org.x\\y' });
  });

  // With the values a build used, as the engine expands them: unset is empty, unknown is undecided.
  const values: Record<string, string | undefined> = { APP: '/app', EMPTY: '', UNSET: '', SECRET: undefined };
  const lookup = (name: string) => (name in values ? values[name] : '');
  it.each([
    ['$APP/hello', '/app/hello'],
    ['${APP}/bin', '/app/bin'],
    ['"$APP/my file"', '/app/my file'],
    ["'$APP'", '$APP'],
    ['\\$APP', '$APP'],
    ['${EMPTY:-/opt}/x', '/opt/x'],
    ['${UNSET:-/opt}', '/opt'],
    ['${APP:-/opt}', '/app'],
    ['${APP:+/set}', '/set'],
    ['${EMPTY:+/set}x', 'x'],
    ['$NOPE/x', '/x'],
    ['a$', 'a$'],
  ])('expands %s to %s', (word, expected) => {
    expect(processWord(word, '\\', lookup)).toEqual({ ok: true, value: expected });
  });

  it.each(['$SECRET', '${SECRET:-x}', '${APP-x}', '${APP:?x}', '${APP#/}', '${APP:-$APP}', '${APP/a/b}'])('leaves %s undecided: an unknown value, or a form engines read differently', (word) => {
    expect(processWord(word, '\\', lookup)).toMatchObject({ ok: false, reason: 'variable' });
  });
});
