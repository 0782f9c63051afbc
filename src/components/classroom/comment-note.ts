// The instructor's comment on one of the learner's lessons, as the course page and the lesson page
// show it: labelled as the instructor's, and written as text, never HTML (an instructor typed it).

export interface CommentNote { text: string; instructor: string }

/** Fills `note` with the comment, or hides it when there is none. */
export function showComment(note: HTMLElement, comment: CommentNote | undefined): void {
  note.hidden = !comment;
  if (!comment) return void note.replaceChildren();
  const label = document.createElement('strong');
  label.textContent = `Your instructor’s comment (${comment.instructor}): `;
  note.replaceChildren(label, comment.text);
}
