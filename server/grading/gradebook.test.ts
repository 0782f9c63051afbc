import { describe, expect, it } from 'vitest';
import { csvCell, csvText, gradebook } from './gradebook.ts';
import { attemptsCsv, gradesCsv } from './exports.ts';

describe('gradebook', () => {
  const lessons = [{ slug: 'single-stage', maxPoints: 3 }, { slug: 'multi-stage', maxPoints: 11 }];
  const progress = new Map([['a', { 'single-stage': { status: 'passed' as const, points: 3, maxPoints: 3, attempts: 2, lastActivity: 5 } }]]);
  const overrides = [
    { learnerId: 'b', lesson: 'single-stage', points: 1, reason: 'first', instructor: 'ada', createdAt: 1 },
    { learnerId: 'b', lesson: 'single-stage', points: 2, reason: 'second thoughts', instructor: 'ada', createdAt: 2 },
  ];
  const members = [{ learnerId: 'a', rosterId: 'L001', displayName: 'A', learnerIds: ['a'] }, { learnerId: 'b', rosterId: 'L002', displayName: 'B', learnerIds: ['b'] }];
  const progressOf = (ids: readonly string[]) => progress.get(ids[0]!) ?? {};
  const rows = gradebook(members, progressOf, overrides, lessons);

  it('derives the cell from attempts, and the latest override wins while both inputs stay', () => {
    expect(rows[0]!.lessons['single-stage']).toMatchObject({ status: 'passed', points: 3, autoPoints: 3, attempts: 2 });
    expect(rows[0]!.lessons['multi-stage']).toMatchObject({ status: 'not-started', points: 0, lastActivity: null });
    expect(rows[1]!.lessons['single-stage']).toMatchObject({ status: 'overridden', points: 2, autoPoints: 0, override: { reason: 'second thoughts' } });
    expect(rows.map((r) => r.total)).toEqual([3, 2]);
  });

  it('shows the latest comment on its cell and nowhere else, and a comment changes no points', () => {
    const comments = [
      { learnerId: 'a', lesson: 'single-stage', text: 'first', instructor: 'ada', createdAt: 1 },
      { learnerId: 'a', lesson: 'single-stage', text: 'helped with COPY --from', instructor: 'ada', createdAt: 2 },
    ];
    const commented = gradebook(members, progressOf, overrides, lessons, comments);
    expect(commented[0]!.lessons['single-stage']).toEqual({ ...rows[0]!.lessons['single-stage'], comment: { text: 'helped with COPY --from', instructor: 'ada', at: 2 } });
    expect(commented[0]!.lessons['multi-stage']!.comment).toBeUndefined();
    expect(commented[1]).toEqual(rows[1]);
    expect(commented.map((r) => r.total)).toEqual(rows.map((r) => r.total));
  });

  it('a merged entry counts the overrides of every learner in it, the latest winning', () => {
    const merged = gradebook([{ learnerId: 'a', rosterId: 'L001', displayName: 'A', learnerIds: ['a', 'b'] }], progressOf, overrides, lessons);
    expect(merged[0]).toMatchObject({ rosterId: 'L001', lessons: { 'single-stage': { status: 'overridden', points: 2, autoPoints: 3 } } });
  });

  it('writes grades.csv: the contract\'s columns, then the roster id and marks; a maximum-points row first', () => {
    expect(gradesCsv(rows, lessons).split('\r\n')).toEqual([
      '"learner","single-stage","multi-stage","total","learner_id","marks"',
      '"Points possible","3","11","14","",""',
      '"A","3","0","3","L001",""',
      '"B","2","0","2","L002","single-stage: overridden"',
      '',
    ]);
  });

  it('writes attempts.csv: checks, regrades and overrides marked by kind, with what the learner was told', () => {
    const detail = JSON.stringify({ expected: 'output "Hello"', seen: 'Hi', hint: 'Look at printf.' });
    const text = attemptsCsv([{
      displayName: 'B', rosterId: 'L002',
      attempts: [
        { lesson: 'single-stage', checkId: 'runs', status: 'fail', points: 0, maxPoints: 2, evidence: '{}', detail, source: 'learner', createdAt: 0 },
        { lesson: 'single-stage', checkId: 'runs', status: 'error', points: 0, maxPoints: 2, evidence: '{}', detail: '{"cause":"image_gone"}', source: 'regrade', createdAt: 2000 },
      ],
      overrides: [{ lesson: 'single-stage', points: 2, maxPoints: 3, reason: 'typo', instructor: 'ada', createdAt: 1000 }],
    }]);
    expect(text.split('\r\n')).toEqual([
      '"learner","lesson","check","status","points","max_points","at","evidence","learner_id","kind","expected","seen","hint","cause","reason","instructor"',
      '"B","single-stage","runs","fail","0","2","1970-01-01T00:00:00.000Z","{}","L002","check","output ""Hello""","Hi","Look at printf.","","",""',
      '"B","single-stage","","overridden","2","3","1970-01-01T00:00:01.000Z","","L002","override","","","","","typo","ada"',
      '"B","single-stage","runs","error","0","2","1970-01-01T00:00:02.000Z","{}","L002","regrade","","","","image_gone","",""',
      '',
    ]);
  });

  it.each([
    ['=1+1', `"'=1+1"`], ['+1', `"'+1"`], ['-1', `"'-1"`], ['@SUM(A1)', `"'@SUM(A1)"`], ['\tx', `"'\tx"`], ['\r=1', `"'\r'=1"`],
    ['a,b', '"a,b"'], ['say "hi"', '"say ""hi"""'], ['plain', '"plain"'], ['', '""'], ['a=b', '"a=b"'], ['2026-11-23', '"2026-11-23"'],
  ])('neutralises and quotes %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  // A spreadsheet may split a cell at any of these (another delimiter, a paste, text to columns):
  // each piece that could start a formula gets its own quote mark.
  it.each([
    ['Eve;=HYPERLINK("http://x","y")', `"Eve;'=HYPERLINK(""http://x"",""y"")"`],
    ['Eve,+cmd', `"Eve,'+cmd"`], ['Eve\t@SUM(A1)', `"Eve\t'@SUM(A1)"`], ['Eve\n-1', `"Eve\n'-1"`], ['Eve;  =1', `"Eve;  '=1"`],
    ['a;b,c', '"a;b,c"'],
    // Found in the second review: a text qualifier opening the field hid the formula from the rule.
    ['Eve,"=1+1"', `"Eve,""'=1+1"""`], ['Eve; "=HYPERLINK(1)"', `"Eve; ""'=HYPERLINK(1)"""`],
  ])('neutralises a formula after a separator inside the cell: %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('quotes numbers and never prefixes them, negative ones included', () => {
    expect(csvCell(-3)).toBe('"-3"');
    expect(csvText([['a', 1], ['=b', 2]])).toBe(`"a","1"\r\n"'=b","2"\r\n`);
  });
});
