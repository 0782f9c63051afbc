import { describe, expect, it } from 'vitest';
import { addressKey, BoundedMap, RateLimit } from './rate-limit.ts';

describe('RateLimit', () => {
  it('allows `limit` tries per window and key, then refuses until the window ends', () => {
    const limit = new RateLimit(3, 1000);
    expect([1, 2, 3, 4].map(() => limit.take('ip', 0))).toEqual([true, true, true, false]);
    expect(limit.take('other', 0)).toBe(true);
    expect(limit.take('ip', 1000)).toBe(true);
  });

  it('says when a key is used up without counting, and how long until its window ends', () => {
    const limit = new RateLimit(2, 1000);
    limit.take('ip', 0);
    expect(limit.exhausted('ip', 10)).toBe(false);
    limit.take('ip', 10);
    expect(limit.exhausted('ip', 20)).toBe(true);
    expect(limit.retryAfter('ip', 400)).toBe(600);
    expect(limit.exhausted('ip', 1000)).toBe(false);
  });
});

describe('BoundedMap', () => {
  it('keeps at most `max` keys, dropping the least recently set', () => {
    const map = new BoundedMap<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c'].entries()) map.set(key, i);
    map.set('a', 9);
    map.set('d', 3);
    expect([...map.keys()]).toEqual(['c', 'a', 'd']);
  });
});

describe('addressKey', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'], ['::ffff:192.0.2.7', '192.0.2.7'], [undefined, 'unknown'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'], ['2001:db8:1:2::9', '2001:db8:1:2::/64'], ['2001:DB8::1', '2001:db8:0:0::/64'], ['::1', '0:0:0:0::/64'],
  ])('counts %j as %j', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});
