import { describe, expect, it } from 'vitest';
import { afterProbe, markedDown, type Health, type Probe } from './engine-health.ts';

const WINDOW = 60_000;

/** Feeds probes `[at, result]` in turn; returns the health after each and every event logged. */
function run(probes: [number, Probe][], start: Health = { up: undefined, slowSince: undefined }) {
  let health = start;
  const events: string[] = [];
  const ups: (boolean | undefined)[] = [];
  for (const [at, probe] of probes) {
    const next = afterProbe(health, probe, at, WINDOW);
    health = next.health;
    events.push(...next.events.map((e) => `${at}:${e}`));
    ups.push(health.up);
  }
  return { health, events, ups };
}

describe('engine health', () => {
  it('is up after a first answer, and logs it once', () => {
    expect(run([[0, 'answered'], [5_000, 'answered']])).toMatchObject({ ups: [true, true], events: ['0:engine_up'] });
  });

  it('stays up while slow for less than the window: slow is not down', () => {
    const { ups, events } = run([[0, 'answered'], [5_000, 'slow'], [10_000, 'slow'], [64_999, 'slow']]);
    expect(ups).toEqual([true, true, true, true]);
    expect(events).toEqual(['0:engine_up', '5000:engine_slow']);
  });

  it('is down once slow for the whole window, counted from the first slow probe', () => {
    const { ups, events } = run([[0, 'answered'], [5_000, 'slow'], [65_000, 'slow'], [70_000, 'slow']]);
    expect(ups).toEqual([true, true, false, false]);
    expect(events).toEqual(['0:engine_up', '5000:engine_slow', '65000:engine_down']);
  });

  it('starts the window again after one answer in between', () => {
    const { ups } = run([[0, 'slow'], [50_000, 'answered'], [55_000, 'slow'], [100_000, 'slow'], [115_000, 'slow']]);
    expect(ups).toEqual([undefined, true, true, true, false]);
  });

  it('is down at once when the connection is refused, and up again on the next answer', () => {
    const { ups, events } = run([[0, 'answered'], [5_000, 'refused'], [10_000, 'refused'], [15_000, 'answered']]);
    expect(ups).toEqual([true, false, false, true]);
    expect(events).toEqual(['0:engine_up', '5000:engine_down', '15000:engine_up']);
  });

  it('leaves an engine never seen answering undecided while it is only slow (learners may still try it)', () => {
    expect(run([[0, 'slow'], [5_000, 'slow']]).ups).toEqual([undefined, undefined]);
  });

  it('with a window of zero, logs slow then down on the first slow probe', () => {
    expect(afterProbe({ up: true, slowSince: undefined }, 'slow', 0, 0)).toEqual({ health: { up: false, slowSince: 0 }, events: ['engine_slow', 'engine_down'] });
  });

  it('marks down once: a second mark logs nothing', () => {
    expect(markedDown({ up: true, slowSince: undefined }).events).toEqual(['engine_down']);
    expect(markedDown({ up: false, slowSince: undefined }).events).toEqual([]);
  });
});
