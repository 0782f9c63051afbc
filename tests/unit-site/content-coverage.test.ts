// The course teaches every command and figure of both source documents (and labels the figures).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const course = readdirSync(join(ROOT, 'content/lessons')).map((f) => readFileSync(join(ROOT, 'content/lessons', f), 'utf8')).join('\n');

describe('the course covers document 000 (multistep builds, C hello world)', () => {
  it.each([
    ['its program', 'printf ("Hello, world!\\n");'],
    ['its build command', 'docker image build -t hello-world .'],
    ['its listing command', 'docker image ls | grep hello-world'],
    ['its small build', '-t hello-world-small'],
    ['the build stage alias', 'AS build'],
    ['COPY --from', 'COPY --from=build /app/bin/hello /app/hello'],
    ['the compile line', 'gcc -Wall hello.c -o bin/hello'],
    ['the single-stage size', '176'],
    ['the multi-stage size', '4.16'],
    ['the factor', '40'],
  ])('%s: %s', (_what, text) => {
    expect(course).toContain(text);
  });

  it('names all four benefits of small images', () => {
    for (const benefit of [/attack surface/i, /memory/i, /disk/i, /start/i, /bandwidth|download/i, /Docker Hub/]) expect(course).toMatch(benefit);
  });
});

describe('the course covers document 004 (CMake multi-stage)', () => {
  it.each([
    ['the program output', 'Hello world using CMake!'],
    ['the build command', 'docker build -t hello-cmake .'],
    ['the cmake step', 'mkdir -p build && cd build && cmake .. && make'],
    ['the copy', 'COPY --from=build /app/build/hello .'],
    ['exec-form CMD', 'CMD ["./hello"]'],
    ['the run', 'docker run --rm hello-cmake'],
    ['the tidy-up', 'docker image rm hello-cmake'],
    ['the listing', 'docker image ls -a'],
    ['its size', '8.34'],
    ['building one stage', '--target build'],
  ])('%s: %s', (_what, text) => {
    expect(course).toContain(text);
  });

  it('explains stage numbers from 0 and named stages', () => {
    expect(course).toMatch(/only numbers: `0` for the first `FROM`/);
    expect(course).toMatch(/COPY --from=0/);
  });
});

describe('figures are labelled as the documents\' own', () => {
  it.each(['176', '4.16', '8.34'])('%s MB appears next to the word book, handout or document', (figure) => {
    const around = [...course.matchAll(new RegExp(`[^\\n]*${figure.replace('.', '\\.')}[^\\n]*`, 'g'))].map((m) => m[0]);
    expect(around.some((line) => /book|handout|document/i.test(line)), around.join('\n')).toBe(true);
  });
});
