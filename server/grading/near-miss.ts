// A name the learner nearly typed: "hello-word" for "hello-world". Hints name it instead of saying
// only that the image is missing.

/** The learner's name closest to `wanted` (at most two edits away, tags aside), if any. */
export function nearMiss(wanted: string, names: string[]): string | undefined {
  const bare = (name: string) => name.replace(/:latest$/, '');
  const target = bare(wanted);
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(bare(name), target);
    if (distance > 0 && distance <= 2 && (!best || distance < best.distance)) best = { name: bare(name), distance };
  }
  return best?.name;
}

/** Levenshtein distance, one row at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
