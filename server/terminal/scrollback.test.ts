import { describe, expect, it } from 'vitest';
import { Scrollback } from './scrollback.ts';

describe('Scrollback', () => {
  it('keeps everything under its capacity, in order', () => {
    const kept = new Scrollback(10);
    kept.push(Buffer.from('abc'));
    kept.push(Buffer.from('def'));
    expect(kept.snapshot().toString()).toBe('abcdef');
  });

  it('drops the oldest bytes first, never holding more than its capacity', () => {
    const kept = new Scrollback(5);
    for (const part of ['abc', 'def', 'gh']) kept.push(Buffer.from(part));
    expect(kept.snapshot().toString()).toBe('defgh');
    expect(kept.size).toBe(5);
  });

  it('keeps the tail of a single chunk larger than its capacity', () => {
    const kept = new Scrollback(4);
    kept.push(Buffer.from('0123456789'));
    expect(kept.snapshot().toString()).toBe('6789');
  });
});
