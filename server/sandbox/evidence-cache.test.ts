import { describe, expect, it } from 'vitest';
import { EvidenceCache } from './evidence-cache.ts';

describe('EvidenceCache', () => {
  it('computes once per key and keeps at most `limit` answers, dropping the least recently used', async () => {
    const cache = new EvidenceCache<number>({ limit: 2 });
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

  it('keeps at most `byteLimit` bytes of answers', async () => {
    const cache = new EvidenceCache<string>({ byteLimit: 10, weigh: (v) => v.length });
    let computed = 0;
    const get = (key: string) => cache.get(key, async () => { computed++; return key.repeat(4); });
    await get('a');
    await get('b');
    await get('c'); // 12 bytes: a goes
    expect(cache.size).toBe(2);
    await get('a');
    expect(computed).toBe(4);
  });

  it('computes once for two asks at the same time', async () => {
    const cache = new EvidenceCache<number>();
    let computed = 0;
    const get = () => cache.get('k', async () => { computed++; await new Promise((r) => setTimeout(r, 10)); return 1; });
    expect(await Promise.all([get(), get()])).toEqual([1, 1]);
    expect(computed).toBe(1);
  });
});
