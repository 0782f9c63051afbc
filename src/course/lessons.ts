// The course as the pages see it: lessons in order, with their neighbours. Build-time only.
import { getCollection, type CollectionEntry } from 'astro:content';

export type LessonEntry = CollectionEntry<'lessons'>;

/** All lessons sorted by `order`; two lessons with one order number are a content bug. */
export async function courseLessons(): Promise<LessonEntry[]> {
  const lessons = (await getCollection('lessons')).sort((a, b) => a.data.order - b.data.order);
  for (let i = 1; i < lessons.length; i++) {
    const [prev, cur] = [lessons[i - 1]!, lessons[i]!];
    if (prev.data.order === cur.data.order) {
      throw new Error(`content/lessons: "${prev.id}" and "${cur.id}" both have order ${cur.data.order}`);
    }
  }
  return lessons;
}

export const lessonHref = (lesson: LessonEntry): string => `/lessons/${lesson.id}/`;
