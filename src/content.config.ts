// Content collections: `lessons`, one MDX file per lesson in content/lessons/, slug = file name.
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { Lesson } from './schemas/lesson.ts';

const lessons = defineCollection({
  loader: glob({
    pattern: '*.mdx',
    base: './content/lessons',
    // The slug is the file name, never a frontmatter field, so URLs cannot drift from files.
    generateId: ({ entry }) => entry.replace(/\.mdx$/, ''),
  }),
  schema: Lesson,
});

export const collections = { lessons };
