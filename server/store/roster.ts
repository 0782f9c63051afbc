// A class's roster: who is in it under which name and short id, joining (closed or open, archived
// classes refuse), renames, removals that keep the attempts, and merging two entries of one person.
// Every refusal is a value with a stable code and a sentence that says what to do.
import type { DatabaseSync } from 'node:sqlite';
import type { Sealer } from './seal.ts';
import { hashToken } from './tokens.ts';
import { newResumeCode } from './classroom.ts';

/** An entry of the grid: its own learner and any merged into it (their attempts count here too). */
export interface Member { learnerId: string; rosterId: string; displayName: string; joinedAt: number; learnerIds: string[] }
/** A removed entry: hidden from the grid, attempts kept, can be restored. */
export interface RemovedMember { learnerId: string; rosterId: string; displayName: string; removedAt: number }

export type RosterRefusal = {
  code: 'class_archived' | 'joining_closed' | 'name_taken' | 'removed_from_class' | 'not_a_member' | 'same_entry';
  message: string;
};
export type RosterResult<T> = { ok: true; value: T } | { ok: false; error: RosterRefusal };
const refuse = (code: RosterRefusal['code'], message: string): RosterResult<never> => ({ ok: false, error: { code, message } });
const ok = <T>(value: T): RosterResult<T> => ({ ok: true, value });

/** The short id shown for a roster number: L001, L002… (zero-padded so a spreadsheet sorts them). */
export const rosterId = (no: number) => `L${String(no).padStart(3, '0')}`;
/** Names compared as a reader would: case, width and accents' composed forms alike. */
const fold = (name: string) => name.normalize('NFKC').toLocaleLowerCase('en').replace(/\s+/g, ' ').trim();

interface Row { learner_id: string; roster_no: number; display_name: string; joined_at: number; removed_at: number | null; merged_into: string | null }

export function rosterQueries(db: DatabaseSync, sealed: Sealer) {
  const q = {
    klass: db.prepare('SELECT joining_closed_at, archived_at FROM classes WHERE id = ?'),
    rows: db.prepare('SELECT learner_id, roster_no, display_name, joined_at, removed_at, merged_into FROM class_members WHERE class_id = ? ORDER BY display_name COLLATE NOCASE, joined_at'),
    nextNo: db.prepare('SELECT COALESCE(MAX(roster_no), 0) + 1 AS no FROM class_members WHERE class_id = ?'),
    insert: db.prepare('INSERT INTO class_members (class_id, learner_id, display_name, resume_code_hash, resume_code_sealed, joined_at, roster_no) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    rejoin: db.prepare('UPDATE class_members SET display_name = ?, resume_code_hash = ?, resume_code_sealed = ? WHERE class_id = ? AND learner_id = ?'),
    rename: db.prepare('UPDATE class_members SET display_name = ? WHERE class_id = ? AND learner_id = ?'),
    removed: db.prepare('UPDATE class_members SET removed_at = ? WHERE class_id = ? AND learner_id = ?'),
    // Flat: entries merged into `other` earlier move with it, so an entry's learners are one lookup.
    merge: db.prepare('UPDATE class_members SET merged_into = ? WHERE class_id = ? AND (learner_id = ? OR merged_into = ?)'),
    joining: db.prepare('UPDATE classes SET joining_closed_at = ? WHERE id = ?'),
    archived: db.prepare('UPDATE classes SET archived_at = ? WHERE id = ?'),
  };
  const rows = (classId: number) => q.rows.all(classId) as unknown as Row[];
  const visible = (r: Row) => r.removed_at === null && r.merged_into === null;
  /** The visible entry, other than `except`, that already has this name. */
  const holder = (classId: number, name: string, except: string) => rows(classId).find((r) => visible(r) && r.learner_id !== except && fold(r.display_name) === fold(name));
  const state = (classId: number) => q.klass.get(classId) as { joining_closed_at: number | null; archived_at: number | null } | undefined;
  /** Roster changes need a class that is not archived, and a visible member. */
  const editable = (classId: number, learnerId: string): RosterResult<Row> => {
    if (state(classId)?.archived_at != null) return refuse('class_archived', 'this class is archived, so it is read-only: unarchive it first');
    const row = rows(classId).find((r) => r.learner_id === learnerId && visible(r));
    return row ? ok(row) : refuse('not_a_member', 'no such learner in this class');
  };

  /** Why this learner (undefined: one not made yet) cannot join under this name, if they cannot. */
  const joinRefusal = (classId: number, learnerId: string | undefined, displayName: string): RosterResult<never> | undefined => {
    const klass = state(classId);
    if (klass?.archived_at != null) return refuse('class_archived', 'this class is archived and takes no more learners: ask your instructor');
    if (klass?.joining_closed_at != null) return refuse('joining_closed', 'this class is closed to joining: ask your instructor to reopen it');
    if (learnerId !== undefined && rows(classId).find((r) => r.learner_id === learnerId)?.removed_at != null) {
      return refuse('removed_from_class', 'your instructor removed you from this class: ask them to restore you');
    }
    if (holder(classId, displayName, learnerId ?? '')) {
      return refuse('name_taken', `someone in this class is already called "${displayName}": add your last initial or a number (for example "${displayName} B."); if that is you on another device, use your resume code instead`);
    }
    return undefined;
  };

  return {
    /** The refusal a join would meet, checked before a new learner is made for it: a refused join makes nothing. */
    joinRefusal: (classId: number, learnerId: string | undefined, displayName: string) => joinRefusal(classId, learnerId, displayName) ?? ok(undefined),
    /**
     * Adds the learner to the class, or (already in it) gives them a new name and resume code, which
     * replaces the earlier one. Refused when the class is closed or archived, the learner was
     * removed, or another learner of the class has the name.
     */
    join(classId: number, learnerId: string, displayName: string, now = Date.now()): RosterResult<string> {
      const refused = joinRefusal(classId, learnerId, displayName);
      if (refused) return refused;
      const mine = rows(classId).find((r) => r.learner_id === learnerId);
      const resume = newResumeCode();
      if (mine) q.rejoin.run(displayName, hashToken(resume), sealed.seal(resume), classId, learnerId);
      else q.insert.run(classId, learnerId, displayName, hashToken(resume), sealed.seal(resume), now, (q.nextNo.get(classId) as { no: number }).no);
      return ok(resume);
    },
    /** The grid's entries, by name; each with the learners merged into it. */
    members(classId: number): Member[] {
      const all = rows(classId);
      return all.filter(visible).map((r) => ({
        learnerId: r.learner_id, rosterId: rosterId(r.roster_no), displayName: r.display_name, joinedAt: r.joined_at,
        learnerIds: [r.learner_id, ...all.filter((m) => m.merged_into === r.learner_id).map((m) => m.learner_id)],
      }));
    },
    removedMembers(classId: number): RemovedMember[] {
      return rows(classId).filter((r) => r.removed_at !== null && r.merged_into === null)
        .map((r) => ({ learnerId: r.learner_id, rosterId: rosterId(r.roster_no), displayName: r.display_name, removedAt: r.removed_at! }));
    },
    /** Every learner who was ever in the class, removed and merged ones too (whose changes concern it). */
    everyLearnerOf(classId: number): Set<string> {
      return new Set(rows(classId).map((r) => r.learner_id));
    },
    rename(classId: number, learnerId: string, displayName: string): RosterResult<void> {
      const row = editable(classId, learnerId);
      if (!row.ok) return row;
      if (holder(classId, displayName, learnerId)) {
        return refuse('name_taken', `another learner in this class is already called "${displayName}": choose another name, or merge the two entries if they are the same person`);
      }
      q.rename.run(displayName, classId, learnerId);
      return ok(undefined);
    },
    /** Hides the entry from the grid; its attempts stay, and restore brings it back as it was. */
    remove(classId: number, learnerId: string, now = Date.now()): RosterResult<void> {
      const row = editable(classId, learnerId);
      if (!row.ok) return row;
      q.removed.run(now, classId, learnerId);
      return ok(undefined);
    },
    restore(classId: number, learnerId: string): RosterResult<void> {
      if (state(classId)?.archived_at != null) return refuse('class_archived', 'this class is archived, so it is read-only: unarchive it first');
      const row = rows(classId).find((r) => r.learner_id === learnerId && r.removed_at !== null && r.merged_into === null);
      if (!row) return refuse('not_a_member', 'no such removed learner in this class');
      if (holder(classId, row.display_name, learnerId)) {
        return refuse('name_taken', `another learner in this class is now called "${row.display_name}": rename one of them first`);
      }
      q.removed.run(null, classId, learnerId);
      return ok(undefined);
    },
    /** `other`'s entry (and whatever was merged into it) joins `keep`'s: one row with both learners' attempts. */
    merge(classId: number, keep: string, other: string): RosterResult<void> {
      if (keep === other) return refuse('same_entry', 'choose two different entries to merge');
      for (const id of [keep, other]) {
        const row = editable(classId, id);
        if (!row.ok) return row;
      }
      q.merge.run(keep, classId, other, other);
      return ok(undefined);
    },
    setJoining(classId: number, open: boolean, now = Date.now()): RosterResult<void> {
      if (state(classId)?.archived_at != null) return refuse('class_archived', 'this class is archived, so it is read-only: unarchive it first');
      q.joining.run(open ? null : now, classId);
      return ok(undefined);
    },
    setArchived(classId: number, archived: boolean, now = Date.now()): void {
      q.archived.run(archived ? now : null, classId);
    },
  };
}

export type RosterQueries = ReturnType<typeof rosterQueries>;
