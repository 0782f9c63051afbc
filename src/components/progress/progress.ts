// <sc-progress>: marks each lesson listed inside it (elements with data-lesson) with the learner's
// progress from /api/progress: done with points, or in progress, an instructor's override with its
// reason, and the instructor's latest comment on the lesson. Without a session it shows nothing.
import { showComment, type CommentNote } from '../classroom/comment-note.ts';

interface LessonProgress { status: 'passed' | 'started'; points: number; maxPoints: number; override?: { points: number; reason: string } }

class Progress extends HTMLElement {
  async connectedCallback(): Promise<void> {
    let lessons: Record<string, LessonProgress>;
    let comments: Record<string, CommentNote>;
    try {
      const response = await fetch('/api/progress', { credentials: 'same-origin' });
      if (!response.ok) return;
      ({ lessons, comments = {} } = (await response.json()) as { lessons: Record<string, LessonProgress>; comments?: Record<string, CommentNote> });
    } catch {
      return; // offline or server down: the course list is still usable without progress
    }
    for (const item of this.querySelectorAll<HTMLElement>('[data-lesson]')) {
      const progress = lessons[item.dataset.lesson ?? ''];
      const note = item.querySelector<HTMLElement>('[data-comment]');
      if (note) showComment(note, comments[item.dataset.lesson ?? '']);
      const badge = item.querySelector<HTMLElement>('[data-progress]');
      if (!progress || !badge) continue;
      badge.dataset.progress = progress.status;
      badge.textContent = progress.override
        ? `Set by your instructor: ${progress.points} of ${progress.maxPoints} points (${progress.override.reason})`
        : progress.status === 'passed' ? `Done: ${progress.points} of ${progress.maxPoints} points` : `In progress: ${progress.points} of ${progress.maxPoints} points`;
    }
  }
}

customElements.define('sc-progress', Progress);
