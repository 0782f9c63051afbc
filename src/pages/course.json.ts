// /course.json: the lessons in order with their titles, for the server's /api/lessons.
import { courseLessons } from '../course/lessons.ts';

export async function GET(): Promise<Response> {
  const lessons = (await courseLessons()).map((lesson) => ({ slug: lesson.id, title: lesson.data.title, order: lesson.data.order }));
  return new Response(JSON.stringify(lessons), { headers: { 'Content-Type': 'application/json' } });
}
