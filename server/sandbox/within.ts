// A wait with a deadline, for engine calls that may hang on a slow or stopped engine.

/** `work`'s answer, or undefined once `ms` have passed (the work is left to finish on its own). */
export const within = <T>(work: Promise<T>, ms: number): Promise<T | undefined> =>
  Promise.race([work, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
