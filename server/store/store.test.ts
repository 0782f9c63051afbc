import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { INSTRUCTOR_SESSION_MS, openStore, type AttemptRecord, type Store } from './index.ts';
import { MIGRATIONS } from './migrations.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-'));
let store: Store;
afterEach(() => store?.close());
const attempt = (checkId: string, status: AttemptRecord['status'], points = status === 'pass' ? 1 : 0): AttemptRecord =>
  ({ checkId, specHash: 'h', status, points, maxPoints: 1, evidence: { imageId: 'x' } });

describe('store', () => {
  it('keeps every prediction and measurement across a reopen, gives the latest, and counts them per lesson', () => {
    const file = path.join(dir, 'inputs.db');
    store = openStore(file);
    const { learnerId } = store.createLearner();
    store.recordPrediction(learnerId, 'cmake', 'cpp-runtime', 'prints', 1);
    store.recordPrediction(learnerId, 'cmake', 'cpp-runtime', 'missing-library', 2);
    store.recordMeasurement(learnerId, 'cmake', 'measured-size', '8.3MB', 8.3e6, 3);
    store.recordMeasurement(learnerId, 'why-small', 'files-small', '23', 23, 4);
    store.close();
    store = openStore(file);
    expect(store.lessonInputs(learnerId, 'cmake')).toEqual({
      predictions: { 'cpp-runtime': { choice: 'missing-library', createdAt: 2 } },
      measurements: { 'measured-size': { typed: '8.3MB', value: 8.3e6, createdAt: 3 } },
    });
    expect(store.inputsSaved(learnerId, 'cmake')).toBe(3);
    expect(store.inputsSaved(learnerId, 'why-small')).toBe(1);
  });

  it('keeps learners, sessions and attempts across a reopen (a server restart)', () => {
    const file = path.join(dir, 'restart.db');
    store = openStore(file);
    const { learnerId, token } = store.createLearner();
    store.recordAttempts(learnerId, 'single-stage', [attempt('a', 'pass')], 1000);
    store.close();
    store = openStore(file);
    expect(store.learnerForSession(token)).toBe(learnerId);
    expect(store.progress(learnerId, { 'single-stage': 1 })['single-stage']).toMatchObject({ status: 'passed', points: 1, attempts: 1, lastActivity: 1000 });
  });

  it('never finds a session for an unknown token', () => {
    store = openStore(path.join(dir, 'unknown.db'));
    store.createLearner();
    expect(store.learnerForSession('A'.repeat(43))).toBeUndefined();
  });

  it('counts failures per check and takes each check\'s latest attempt for progress', () => {
    store = openStore(path.join(dir, 'progress.db'));
    const { learnerId } = store.createLearner();
    store.recordAttempts(learnerId, 'multi-stage', [attempt('a', 'fail'), attempt('b', 'fail')], 1);
    store.recordAttempts(learnerId, 'multi-stage', [attempt('a', 'pass'), attempt('b', 'fail')], 2);
    expect(store.failuresSoFar(learnerId, 'multi-stage')).toEqual({ a: 1, b: 2 });
    expect(store.progress(learnerId, { 'multi-stage': 2 })['multi-stage']).toMatchObject({ status: 'started', points: 1, maxPoints: 2, attempts: 2 });
  });

  it('never lets a later error replace an earlier pass or fail', () => {
    store = openStore(path.join(dir, 'errors.db'));
    const { learnerId } = store.createLearner();
    store.recordAttempts(learnerId, 'l', [attempt('a', 'pass')], 1);
    store.recordAttempts(learnerId, 'l', [attempt('a', 'error')], 2);
    expect(store.progress(learnerId, { l: 1 }).l).toMatchObject({ status: 'passed', points: 1 });
    expect(store.judgedStatuses(learnerId, 'l')).toEqual({ a: 'pass' });
  });

  it('keeps attempts append-only: no update, no delete', () => {
    const file = path.join(dir, 'append.db');
    store = openStore(file);
    const { learnerId } = store.createLearner();
    store.recordAttempts(learnerId, 'x', [attempt('a', 'fail')]);
    store.close();
    // Even with direct SQL, as a careless script would.
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
    const db = new DatabaseSync(file);
    expect(() => db.exec("UPDATE attempts SET status = 'pass'")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM attempts')).toThrow(/append-only/);
    db.close();
    store = openStore(file);
  });

  it('ends an instructor session when it expires, and every session of theirs on sign-out everywhere', async () => {
    store = openStore(path.join(dir, 'instructor.db'));
    store.ensureInstructor('ada', 'correct horse battery');
    store.ensureInstructor('bob', 'another long password');
    const signedInAt = 1_000_000;
    const old = (await store.signIn('ada', 'correct horse battery', signedInAt))!;
    expect(store.instructorForSession(old, signedInAt + INSTRUCTOR_SESSION_MS - 1)?.name).toBe('ada');
    expect(store.instructorForSession(old, signedInAt + INSTRUCTOR_SESSION_MS)).toBeUndefined();
    const laptop = (await store.signIn('ada', 'correct horse battery'))!;
    const phone = (await store.signIn('ada', 'correct horse battery'))!;
    const other = (await store.signIn('bob', 'another long password'))!;
    store.signOutEverywhere(store.instructorForSession(phone)!.id);
    expect([laptop, phone].map((token) => store.instructorForSession(token))).toEqual([undefined, undefined]);
    expect(store.instructorForSession(other)?.name).toBe('bob');
  });

  it('shows a learner their resume code again; a store restored without its key file still resumes, but cannot show it', () => {
    const file = path.join(dir, 'resume.db');
    store = openStore(file);
    store.ensureInstructor('ada', 'correct horse battery');
    const instructorId = 1; // the first instructor of a new store
    const klass = store.createClass(instructorId, 'Lab', 1000);
    const { learnerId } = store.createLearner();
    const joined = store.join(klass.id, learnerId, 'Grace', 2000);
    const code = joined.ok ? joined.value : '';
    expect(store.membershipsOf(learnerId)).toEqual([{ classTitle: 'Lab', displayName: 'Grace', joinedAt: 2000, resumeCode: code }]);
    store.close();
    fs.rmSync(`${file}.key`);
    store = openStore(file);
    expect(store.membershipsOf(learnerId)).toEqual([{ classTitle: 'Lab', displayName: 'Grace', joinedAt: 2000, resumeCode: null }]);
    expect(store.learnerForResumeCode(code.toLowerCase().replaceAll('-', ' '))).toBe(learnerId);
  });

  it('numbers the members of an existing class in join order when the roster migration runs', () => {
    const file = path.join(dir, 'roster.db');
    const db = new DatabaseSync(file);
    const before = MIGRATIONS.findIndex((m) => m.includes('ADD COLUMN roster_no'));
    for (const sql of MIGRATIONS.slice(0, before)) db.exec(sql);
    db.exec(`PRAGMA user_version = ${before};
      INSERT INTO instructors (name, password_hash, created_at) VALUES ('ada', 'x', 1);
      INSERT INTO classes (instructor_id, title, code, created_at) VALUES (1, 'A', 'AAAAAAAA', 1), (1, 'B', 'BBBBBBBB', 1);
      INSERT INTO learners (id, created_at) VALUES ('l1', 1), ('l2', 1), ('l3', 1);
      INSERT INTO class_members (class_id, learner_id, display_name, resume_code_hash, joined_at) VALUES
        (1, 'l2', 'Zoe', 'h1', 20), (1, 'l1', 'Ann', 'h2', 30), (1, 'l3', 'Bob', 'h3', 10), (2, 'l1', 'Ann', 'h4', 40);`);
    db.close();
    store = openStore(file);
    expect(store.members(1).map((m) => [m.displayName, m.rosterId])).toEqual([['Ann', 'L003'], ['Bob', 'L001'], ['Zoe', 'L002']]);
    expect(store.members(2).map((m) => m.rosterId)).toEqual(['L001']);
    const { learnerId } = store.createLearner();
    expect(store.join(1, learnerId, 'Eve').ok).toBe(true);
    expect(store.members(1).find((m) => m.displayName === 'Eve')?.rosterId).toBe('L004');
  });

  it('counts a regrade\'s results as grades but not as the learner\'s attempts or failures', () => {
    store = openStore(path.join(dir, 'regrade.db'));
    const { learnerId } = store.createLearner();
    store.recordAttempts(learnerId, 'l', [attempt('a', 'fail')], 1000);
    store.recordAttempts(learnerId, 'l', [attempt('a', 'fail')], 2000, 'regrade');
    store.recordAttempts(learnerId, 'l', [attempt('a', 'pass')], 3000, 'regrade');
    expect(store.failuresSoFar(learnerId, 'l')).toEqual({ a: 1 });
    expect(store.progress(learnerId, { l: 1 }).l).toMatchObject({ status: 'passed', points: 1, attempts: 1, lastActivity: 3000 });
    expect(store.attemptsOf(learnerId).map((a) => a.source)).toEqual(['learner', 'regrade', 'regrade']);
  });

  it('grades a merged entry on the better of its learners\' results, with their attempts added up', () => {
    store = openStore(path.join(dir, 'merged.db'));
    const [a, b] = [store.createLearner().learnerId, store.createLearner().learnerId];
    store.recordAttempts(a, 'l', [attempt('x', 'pass')], 1000);
    store.recordAttempts(b, 'l', [attempt('x', 'fail')], 2000);
    store.recordAttempts(b, 'l', [attempt('x', 'fail')], 3000, 'regrade');
    expect(store.progress([a, b], { l: 1 }).l).toEqual({ status: 'passed', points: 1, maxPoints: 1, attempts: 2, lastActivity: 3000 });
    expect(store.progress([b, a], { l: 1 }).l).toEqual({ status: 'passed', points: 1, maxPoints: 1, attempts: 2, lastActivity: 3000 });
  });
});
