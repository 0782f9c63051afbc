import { describe, expect, it } from 'vitest';
import { EvidenceCache } from './evidence-cache.ts';

describe('EvidenceCache', () => {
  it('computes once per key and keeps at most `limit` answers, dropping the least recently used', async () => {
    const cache = new EvidenceCache<number>(2);
    let computed = 0;
    const get = (key: string) => cache.get(key, async () => ++computed);
    expect([await get('a'), await get('a'), await get('b')]).toEqual([1, 1, 2]);
    await get('a'); // a is now the most recent: c pushes out b
    await get('c');
    expect(cache.size).toBe(2);
    expect(await get('a')).toBe(1);
    expect(await get('b')).toBe(4);
  });

  it('does not keep an answer that says nothing about the image (a timeout)', async () => {
    const cache = new EvidenceCache<{ timedOut: boolean }>();
    let computed = 0;
    const get = () => cache.get('k', async () => ({ timedOut: ++computed < 3 }), (v) => !v.timedOut);
    await get();
    await get();
    await get();
    await get();
    expect(computed).toBe(3);
  });
});
