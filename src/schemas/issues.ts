// Zod problems as one line each: the file, the field, what was expected and what was got, e.g.
// `lessons/multi-stage/checks.ts: checks[2].ratio: Too small: expected number to be >=1, got 0.5`.
import type { z } from 'zod';

export function describeIssues(file: string, error: z.ZodError, input: unknown): string {
  return error.issues.map((issue) => {
    const where = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
    const got = issue.path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey], input);
    return `${file}: ${where || '(file)'}: ${issue.message}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`;
  }).join('\n');
}
