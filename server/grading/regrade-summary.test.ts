import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/schemas/checks.ts';
import { summarizeRegrade } from './regrade-summary.ts';

const result = (id: string, status: CheckResult['status'], cause?: string): CheckResult =>
  ({ id, title: id, status, points: status === 'pass' ? 1 : 0, maxPoints: 1, evidence: {}, ...(cause ? { cause } : {}) });

describe('a regrade summary', () => {
  it('sorts learners into passed, failed (with the checks) and could not judge (with the recorded causes)', () => {
    expect(summarizeRegrade([
      { learner: 'Ann', rosterId: 'L001', runs: [[result('a', 'pass'), result('b', 'pass')]] },
      { learner: 'Bob', rosterId: 'L002', runs: [[result('a', 'pass'), result('b', 'fail')]] },
      { learner: 'Cy', rosterId: 'L003', runs: [[result('a', 'error', 'image_gone'), result('b', 'fail'), result('c', 'error', 'image_gone')]] },
      { learner: 'Di', rosterId: 'L004', runs: [[result('a', 'error', 'engine_unavailable')]] },
    ])).toEqual({
      passed: [{ learner: 'Ann', rosterId: 'L001' }],
      failed: [{ learner: 'Bob', rosterId: 'L002', checks: ['b'] }],
      couldNotJudge: [{ learner: 'Cy', rosterId: 'L003', causes: ['image_gone'] }, { learner: 'Di', rosterId: 'L004', causes: ['engine_unavailable'] }],
    });
  });

  it('counts a merged entry once: passed if any of its learners passed', () => {
    const summary = summarizeRegrade([{ learner: 'Ken', rosterId: 'L003', runs: [[result('a', 'fail')], [result('a', 'pass')]] }]);
    expect(summary).toEqual({ passed: [{ learner: 'Ken', rosterId: 'L003' }], failed: [], couldNotJudge: [] });
  });
});
