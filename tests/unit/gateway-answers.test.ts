// The gateway's streamed answers: names put back and lists filtered element by element give what
// the whole answer would, however the engine's bytes are cut, while holding one element at most.
import { describe, expect, it } from 'vitest';
import { AnswerBudget } from '../../server/sandbox/gateway/engine.ts';
import { ArrayElements, namesOf } from '../../server/sandbox/gateway/respond.ts';
import { LIMITS } from '../../server/sandbox/index.ts';

const toLearner = (text: string) => text.replaceAll('sc-0123/', '').replaceAll('sc-0123_', '');
/** `text` cut into pieces of every size from 1 to 7 characters, in turn. */
const pieces = (text: string) => {
  const out: string[] = [];
  for (let i = 0, n = 1; i < text.length; i += n, n = (n % 7) + 1) out.push(text.slice(i, i + n));
  return out;
};

describe('names put back in a streamed answer', () => {
  it('matches the whole answer however it is cut', () => {
    const answer = JSON.stringify([{ Names: ['/sc-0123_web'], Image: 'sc-0123/hello:latest', Labels: { a: 'x,sc-0123/y' } }]);
    const names = namesOf(toLearner);
    expect(pieces(answer).map((p) => names(p)).join('') + names(undefined)).toBe(toLearner(answer));
  });

  it('holds no more than a bounded run of name characters', () => {
    const names = namesOf(toLearner);
    let out = '';
    for (let i = 0; i < 100; i++) out += names('a'.repeat(4096));
    expect(out.length).toBeGreaterThan(100 * 4096 - 70 * 1024);
    expect(out + names(undefined)).toBe('a'.repeat(100 * 4096));
  });
});

describe('a list filtered element by element', () => {
  const list = [{ Id: '1', RepoTags: ['sc-0123/a:latest'] }, { Id: '2', RepoTags: ['other/b:latest'] }, { Id: '3', Labels: { s: '"],[{' } }];
  const keep = (text: string) => {
    const { Id } = JSON.parse(text) as { Id: string };
    return Id === '2' ? '' : `${Id};`;
  };

  it('sees each element once, whole, however the list is cut', () => {
    const budget = new AnswerBudget(1024);
    const elements = new ArrayElements(budget, keep);
    const out = pieces(` ${JSON.stringify(list, null, 1)}\n`).map((p) => elements.feed(p)).join('');
    expect(elements.done()).toBe(true);
    expect(out).toBe('1;3;');
    expect(budget.held).toBe(0);
  });

  it('skips an element larger than one answer may be, and keeps the rest', () => {
    const budget = new AnswerBudget(LIMITS.answerBytes * 2);
    const elements = new ArrayElements(budget, keep);
    const huge = JSON.stringify({ Id: '9', Labels: { big: 'x'.repeat(LIMITS.answerBytes) } });
    const out = [`[{"Id":"1"},`, huge.slice(0, 1000), huge.slice(1000), `,{"Id":"3"}]`].map((p) => elements.feed(p)).join('');
    expect(out).toBe('1;3;');
    expect(elements.done()).toBe(true);
    expect(budget.held).toBe(0);
  });

  it('fails, and gives back what it held, past the learner\'s budget or on a broken list', () => {
    const budget = new AnswerBudget(10);
    const elements = new ArrayElements(budget, keep);
    expect(elements.feed('[{"Id":"1","Labels":{"a":"long enough"}}]')).toBeUndefined();
    expect(elements.done()).toBe(false);
    expect(budget.held).toBe(0);
    const broken = new ArrayElements(new AnswerBudget(1024), keep);
    expect(broken.feed('{"Id":"1"}')).toBeUndefined();
  });

  it('a learner\'s budget draws on the server\'s', () => {
    const server = new AnswerBudget(100);
    const [a, b] = [new AnswerBudget(80, server), new AnswerBudget(80, server)];
    expect(a.take(60)).toBe(true);
    expect(b.take(60)).toBe(false);
    expect(b.take(40)).toBe(true);
    a.give(60);
    b.give(40);
    expect(server.held).toBe(0);
  });
});
