// Matching a run's standard output against what a check expects.
import type { OutputMatch } from '../../src/schemas/checks.ts';

export function matchesOutput(output: string, expected: OutputMatch): boolean {
  const text = output.replace(/\r\n/g, '\n');
  switch (expected.match) {
    case 'exact':
      return text.replace(/\n$/, '') === expected.text.replace(/\n$/, '');
    case 'contains':
      return text.includes(expected.text);
    case 'regex':
      return new RegExp(expected.pattern, 'm').test(text);
    case 'lineCount': {
      const lines = text.replace(/\n$/, '').split('\n');
      return lines.length === expected.count && lines.every((line) => line === expected.line);
    }
  }
}

/** How the expectation reads to a learner. */
export function describeOutput(expected: OutputMatch): string {
  switch (expected.match) {
    case 'exact': return `output exactly ${JSON.stringify(expected.text)}`;
    case 'contains': return `output containing ${JSON.stringify(expected.text)}`;
    case 'regex': return `output matching /${expected.pattern}/`;
    case 'lineCount': return `${expected.count} lines of ${JSON.stringify(expected.line)}`;
  }
}

/** At most 500 characters of output, for evidence and for what the learner is shown. */
export function excerpt(text: string): string {
  return text.length <= 500 ? text : `${text.slice(0, 497)}...`;
}
