// Keyboard steps and bounds of the lesson/terminal split.
import { describe, expect, it } from 'vitest';
import { SPLIT, clampSplit, splitAfterKey } from './split-value.ts';

describe('splitAfterKey', () => {
  it('moves 5% per arrow key, within the bounds', () => {
    expect(splitAfterKey(50, 'ArrowLeft')).toBe(45);
    expect(splitAfterKey(50, 'ArrowRight')).toBe(55);
    expect(splitAfterKey(SPLIT.min, 'ArrowLeft')).toBe(SPLIT.min);
    expect(splitAfterKey(SPLIT.max, 'ArrowUp')).toBe(SPLIT.max);
  });
  it('jumps to the bounds with Home and End, and ignores other keys', () => {
    expect(splitAfterKey(50, 'Home')).toBe(SPLIT.min);
    expect(splitAfterKey(50, 'End')).toBe(SPLIT.max);
    expect(splitAfterKey(50, 'Enter')).toBeUndefined();
  });
  it('clamps and rounds dragged values', () => {
    expect(clampSplit(3)).toBe(SPLIT.min);
    expect(clampSplit(99)).toBe(SPLIT.max);
    expect(clampSplit(41.6)).toBe(42);
  });
});
