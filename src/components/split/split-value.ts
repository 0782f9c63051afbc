// The split's value: the first pane's share of the width, and how keys move it.

/** Share of the width the first pane gets, in percent, within [min, max]; steps for arrow keys. */
export const SPLIT = { min: 25, max: 75, initial: 50, step: 5 } as const;
export const clampSplit = (value: number): number =>
  Math.round(Math.min(SPLIT.max, Math.max(SPLIT.min, value)));

/** The new value after a key press on the separator, or undefined if the key is not ours. */
export function splitAfterKey(value: number, key: string): number | undefined {
  switch (key) {
    case 'ArrowLeft': case 'ArrowDown': return clampSplit(value - SPLIT.step);
    case 'ArrowRight': case 'ArrowUp': return clampSplit(value + SPLIT.step);
    case 'Home': return SPLIT.min;
    case 'End': return SPLIT.max;
    default: return undefined;
  }
}
