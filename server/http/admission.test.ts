import { describe, expect, it } from 'vitest';
import { Admission, NEW_LEARNER_WINDOW_MS } from './admission.ts';

function setup(options: { maxWorkspaces?: number; newLearnersPerAddress?: number; running?: string[] } = {}) {
  const clock = { now: 0 };
  const running = new Set(options.running ?? []);
  let asked = 0;
  const admission = new Admission({
    maxWorkspaces: options.maxWorkspaces ?? 2,
    newLearnersPerAddress: options.newLearnersPerAddress ?? 3,
    running: async () => { asked++; return new Set(running); },
    now: () => clock.now,
  });
  return { admission, clock, running, asked: () => asked };
}

describe('Admission', () => {
  it('a full lab refuses new learners and workspaces that do not run, and never a learner whose workspace runs', async () => {
    const { admission } = setup({ running: ['a', 'b'] });
    expect(await admission.newLearner('192.0.2.1', () => 'c')).toEqual({ ok: false, error: {
      status: 503, message: 'The lab is full: 2 workspaces are running. Try again in a few minutes.', retryAfterSeconds: 60 } });
    expect(await admission.workspace('c')).toMatchObject({ status: 503 });
    expect(await admission.workspace('a')).toBeUndefined();
  });

  it('holds a place for a workspace let in, so a class opening at once cannot pass the cap together', async () => {
    const { admission, clock, running } = setup({ running: ['a'] });
    const answers = await Promise.all(['b', 'c', 'd'].map((id) => admission.workspace(id)));
    expect(answers.filter((a) => a === undefined)).toHaveLength(1);
    expect(answers.filter((a) => a?.status === 503)).toHaveLength(2);
    // Once the engines list it, the hold goes and the count stays right.
    running.add('b');
    clock.now += 2_000;
    expect(await admission.workspace('c')).toMatchObject({ message: expect.stringContaining('2 workspaces are running') });
    // b stops: the next answer no longer lists it, and c gets its place.
    running.delete('b');
    clock.now += 2_000;
    expect(await admission.workspace('c')).toBeUndefined();
    expect(await admission.workspace('d')).toMatchObject({ status: 503 });
    // A hold whose workspace never shows up lapses after a minute.
    clock.now += 61_000;
    expect(await admission.workspace('d')).toBeUndefined();
  });

  it('lets each address start its share of new learners per window, then says when to come back', async () => {
    const { admission, clock } = setup({ maxWorkspaces: 100, newLearnersPerAddress: 3 });
    for (const id of ['a', 'b', 'c']) expect(await admission.newLearner('192.0.2.1', () => id)).toEqual({ ok: true, value: id });
    let made = false;
    expect(await admission.newLearner('192.0.2.1', () => (made = true))).toEqual({ ok: false, error: {
      status: 429, message: 'Too many new learners from your network (3 in 10 minutes). Try again in 10 min.', retryAfterSeconds: 600 } });
    expect(made).toBe(false);
    expect(await admission.newLearner('192.0.2.2', () => 'd')).toEqual({ ok: true, value: 'd' });
    clock.now += NEW_LEARNER_WINDOW_MS;
    expect(await admission.newLearner('192.0.2.1', () => 'e')).toEqual({ ok: true, value: 'e' });
  });

  it('asks the engines at most once a second', async () => {
    const { admission, clock, asked } = setup({ maxWorkspaces: 100 });
    for (let i = 0; i < 10; i++) await admission.workspace(`l${i}`);
    expect(asked()).toBe(1);
    clock.now += 1_001;
    await admission.workspace('x');
    expect(asked()).toBe(2);
  });
});
