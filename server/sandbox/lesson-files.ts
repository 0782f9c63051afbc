// A lesson's starting files (lessons/<slug>/files), so that any lesson can be started first. The
// server puts them, with a small script, in the learner's gateway folder, which the workspace sees
// read-only at /run/stagecraft; the script copies them into the lesson's folder in the learner's
// home, as the learner. Nothing of theirs is lost: a folder whose files would change is first kept
// as a dated copy. The lesson page's button runs the same script the lesson shows.
import fs from 'node:fs/promises';
import path from 'node:path';

/** A lesson with starting files, and the folder of the learner's home they go to. */
export interface LessonStart {
  slug: string;
  /** The lesson's folder under the learner's home, e.g. "hello". */
  folder: string;
  files: { name: string; content: Buffer }[];
}

/** What the learner types (the lesson shows it): the script, as the workspace sees it. */
export const LESSON_FILES_COMMAND = '/run/stagecraft/lesson-files';

/** The script, run by the learner in their workspace: `lesson-files [--reset] LESSON`. */
export const LESSON_FILES_SCRIPT = `#!/bin/sh
# lesson-files [--reset] LESSON: puts the starting files of LESSON into its folder in your home.
# A folder whose files would change is first kept as a dated copy (--reset: the whole folder is
# moved aside, and the lesson's folder holds its starting files alone).
set -eu
here=$(dirname "$0")/lessons
reset=
if [ "\${1:-}" = --reset ]; then reset=1; shift; fi
lesson=\${1:-}
if [ -z "$lesson" ] || [ ! -f "$here/$lesson/folder" ]; then
  echo "lesson-files: which lesson? These have starting files: $(ls "$here" | tr '\\n' ' ')" >&2
  exit 2
fi
folder=$(cat "$here/$lesson/folder")
files=$here/$lesson/files
dest=$HOME/$folder
keep=
if [ -d "$dest" ] && [ -n "$(ls -A "$dest")" ]; then
  if [ -n "$reset" ]; then keep=1; fi
  for file in "$files"/* "$files"/.[!.]*; do
    [ -e "$file" ] || continue
    if [ -e "$dest/\${file##*/}" ] && ! cmp -s "$file" "$dest/\${file##*/}"; then keep=1; fi
  done
fi
if [ -n "$keep" ]; then
  kept=$dest.$(date +%Y-%m-%d-%H%M%S)
  while [ -e "$kept" ]; do kept=$kept-again; done
  if [ -n "$reset" ]; then mv "$dest" "$kept"; else cp -a "$dest" "$kept"; fi
  echo "Your earlier ~/$folder is kept as ~/\${kept#"$HOME"/}."
fi
mkdir -p "$dest"
cp -R "$files"/. "$dest"/
echo "The starting files of the $lesson lesson are in ~/$folder: $(ls -A "$files" | tr '\\n' ' ')"
`;

/** The starting files of lessons/<slug>/files, without placeholders (.gitkeep); none: undefined. */
export async function readLessonStart(root: string, slug: string, folder: string): Promise<LessonStart | undefined> {
  const dir = path.join(root, 'lessons', slug, 'files');
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((name) => name !== '.gitkeep').sort();
  if (names.length === 0) return undefined;
  return { slug, folder, files: await Promise.all(names.map(async (name) => ({ name, content: await fs.readFile(path.join(dir, name)) }))) };
}

/** Writes the script and the lessons' files into a learner's gateway folder (root's, read-only to them). */
export async function writeLessonFiles(gatewayFolder: string, starts: readonly LessonStart[]): Promise<void> {
  const lessons = path.join(gatewayFolder, 'lessons');
  await fs.rm(lessons, { recursive: true, force: true }); // the course may have changed since
  for (const start of starts) {
    const files = path.join(lessons, start.slug, 'files');
    await fs.mkdir(files, { recursive: true, mode: 0o755 });
    await fs.writeFile(path.join(lessons, start.slug, 'folder'), `${start.folder}\n`, { mode: 0o644 });
    for (const file of start.files) await fs.writeFile(path.join(files, file.name), file.content, { mode: 0o644 });
  }
  await fs.writeFile(path.join(gatewayFolder, 'lesson-files'), LESSON_FILES_SCRIPT, { mode: 0o755 });
  await fs.chmod(path.join(gatewayFolder, 'lesson-files'), 0o755);
}
