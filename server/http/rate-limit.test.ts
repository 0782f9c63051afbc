import { describe, expect, it } from 'vitest';
import { RateLimit } from './rate-limit.ts';

describe('RateLimit', () => {
  it('allows `limit` tries per window and key, then refuses until the window ends', () => {
    const limit = new RateLimit(3, 1000);
    expect([1, 2, 3, 4].map(() => limit.take('ip', 0))).toEqual([true, true, true, false]);
    expect(limit.take('other', 0)).toBe(true);
    expect(limit.take('ip', 1000)).toBe(true);
  });
});
