// Every API body schema: a right body passes; a wrong type, a missing field or an extra field is
// refused with the field named (the server answers 400 with that field: api-contract.test).
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { JoinBody, LayersQuery, NewClassBody, OverrideBody, RegradeBody, ResumeBody, SignInBody, WatchQuery } from './requests.ts';

const SCHEMAS: [string, z.ZodType, Record<string, unknown>, string, unknown][] = [
  // name, schema, a right body, a field, a wrong value for it
  ['SignInBody', SignInBody, { name: 'ada', password: 'correct horse battery' }, 'password', 42],
  ['JoinBody', JoinBody, { code: 'ABCDEFGH', displayName: 'Grace' }, 'displayName', ['Grace']],
  ['ResumeBody', ResumeBody, { resumeCode: 'ABCD-EFGH-JKMN' }, 'resumeCode', null],
  ['NewClassBody', NewClassBody, { title: 'Group B' }, 'title', 7],
  ['RegradeBody', RegradeBody, { lesson: 'single-stage' }, 'lesson', true],
  ['OverrideBody', OverrideBody, { learner: 'a'.repeat(20), lesson: 'single-stage', points: 2, reason: 'typo' }, 'points', '2'],
  ['LayersQuery', LayersQuery, { image: ['hello-world'] }, 'image', 'hello-world'],
  ['WatchQuery', WatchQuery, { class: '3', learner: 'b'.repeat(20) }, 'learner', 'not-an-id'],
];

describe.each(SCHEMAS)('%s', (_name, schema, right, field, wrong) => {
  it('takes a right body', () => {
    expect(schema.safeParse(right).success).toBe(true);
  });

  it('refuses a wrong type, naming the field', () => {
    const issue = schema.safeParse({ ...right, [field]: wrong }).error?.issues[0];
    expect(issue?.path).toEqual([field]);
  });

  it('refuses a missing field, naming it', () => {
    const { [field]: _gone, ...rest } = right;
    expect(schema.safeParse(rest).error?.issues[0]?.path).toEqual([field]);
  });

  it('refuses a field it does not take, naming it', () => {
    const issue = schema.safeParse({ ...right, admin: true }).error?.issues[0];
    expect(issue).toMatchObject({ code: 'unrecognized_keys', keys: ['admin'] });
  });
});

describe('bounds', () => {
  it.each([
    [JoinBody, { code: 'X', displayName: 'x'.repeat(61) }, 'a display name of 1 to 60 characters is needed'],
    [NewClassBody, { title: '   ' }, 'a title of 1 to 120 characters is needed'],
    [OverrideBody, { learner: 'a', lesson: 'b', points: -1, reason: 'r' }, 'points must be a whole number from 0'],
    [OverrideBody, { learner: 'a', lesson: 'b', points: 1, reason: 'r'.repeat(501) }, 'a reason is at most 500 characters'],
    [OverrideBody, { learner: 'a', lesson: 'b', points: 1, reason: ' \n ' }, 'a reason is needed: write why the points change; it stays in the audit trail'],
    [LayersQuery, { image: ['a', 'b', 'c', 'd', 'e'] }, 'at most 4 images at once'],
  ] as const)('%#: %j', (schema, body, message) => {
    expect((schema as z.ZodType).safeParse(body).error?.issues[0]?.message).toBe(message);
  });

  it('trims the text a person typed', () => {
    expect(JoinBody.parse({ code: ' abcdefgh ', displayName: ' Grace ' })).toEqual({ code: 'abcdefgh', displayName: 'Grace' });
  });
});
