import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCapped } from './read-capped.ts';

const stream = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));

describe('readCapped', () => {
  it('returns the whole stream when it fits, up to the limit itself', async () => {
    expect((await readCapped(stream('ab', 'cd'), 4))?.toString()).toBe('abcd');
    expect((await readCapped(stream(), 4))?.length).toBe(0);
  });

  it('answers undefined as soon as the limit is passed, and drains the rest without holding it', async () => {
    const source = new Readable({ read() {} });
    const read = readCapped(source, 4);
    source.push(Buffer.from('abcde'));
    expect(await read).toBeUndefined(); // the stream has not ended: the answer did not wait for it
    source.push(Buffer.from('fgh'));
    source.push(null);
    await new Promise((resolve) => source.once('end', resolve));
    expect(source.readableEnded).toBe(true);
  });

  it('passes a stream error on', async () => {
    const failing = new Readable({ read() { this.destroy(new Error('cut off')); } });
    await expect(readCapped(failing, 4)).rejects.toThrow('cut off');
  });
});
