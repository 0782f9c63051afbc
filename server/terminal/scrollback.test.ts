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

  it('joins small pieces, so a long run of echoed keys costs its bytes and not a buffer each', () => {
    const kept = new Scrollback(256 * 1024);
    for (let i = 0; i < 300_000; i++) kept.push(Buffer.from(String.fromCharCode(97 + (i % 26))));
    expect(kept.size).toBe(256 * 1024);
    expect(kept.pieces).toBeLessThanOrEqual(33);
    const text = kept.snapshot().toString();
    expect(text.at(-1)).toBe(String.fromCharCode(97 + (299_999 % 26)));
    expect(text.slice(0, 3)).toBe([0, 1, 2].map((k) => String.fromCharCode(97 + ((300_000 - 256 * 1024 + k) % 26))).join(''));
  });
});
