import { describe, expect, it } from 'vitest';
import { offBy, parseMeasurement } from './measurement.ts';

describe('a measurement as typed', () => {
  it.each([
    ['176MB', 176e6], ['4.16 MB', 4.16e6], ['4,16 MB', 4.16e6], ['176123456', 176123456], ['176,123,456', 176123456],
    ['850kB', 850e3], ['1.2GB', 1.2e9], [' 12 b ', 12], ['176mb', 176e6], ['100000', 100000],
  ])('size %s is %d bytes', (typed, bytes) => {
    expect(parseMeasurement(typed, 'size')).toEqual({ ok: true, value: bytes });
  });

  it.each([['40', 40], ['about 40', 40], ['40x', 40], ['40 ×', 40], ['52.7', 52.7], ['~ 41 times', 41]])('ratio %s is %d', (typed, value) => {
    expect(parseMeasurement(typed, 'ratio')).toEqual({ ok: true, value });
  });

  it.each([['23', 23], ['1,204', 1204], ['21037', 21037]])('file count %s is %d', (typed, value) => {
    expect(parseMeasurement(typed, 'files')).toEqual({ ok: true, value });
  });

  it('asks for the unit of a bare figure too small to be bytes of an image', () => {
    expect(parseMeasurement('406', 'size')).toEqual({ ok: false, error: 'a size without a unit is in bytes: type the unit as docker image ls prints it, e.g. 406MB' });
  });

  it.each([['', 'size'], ['2.5', 'files'], ['12 files', 'files'], ['1,20', 'files'], ['big', 'size'], ['176 MiB', 'size'], ['-3MB', 'size'], ['0', 'size'], ['forty', 'ratio'], ['0', 'ratio'], ['1/40', 'ratio']] as const)(
    'refuses %j as a %s, saying what to type', (typed, quantity) => {
      const parsed = parseMeasurement(typed, quantity);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.error).toMatch(/type/);
    });

  it('measures the difference as a fraction of the real value', () => {
    expect(offBy(105, 100)).toBeCloseTo(0.05);
    expect(offBy(95, 100)).toBeCloseTo(0.05);
  });
});
