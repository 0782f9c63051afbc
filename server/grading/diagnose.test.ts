import { describe, expect, it } from 'vitest';
import { diagnose } from './diagnose.ts';

// Real messages of engine 20.10, the CLI, glibc's loader and busybox, as the learner meets them.
describe('diagnose', () => {
  it.each([
    ['the misprinted line continuation', '{"message":"dockerfile parse error line 3: unknown instruction: MAKE"}', undefined, /unknown instruction: MAKE.*ends with && but no backslash/],
    ['a misspelt instruction', '{"message":"dockerfile parse error line 2: unknown instruction: COPPY"}', undefined, /COPPY is not a Dockerfile instruction\. Did you mean COPY\?/],
    ['a COPY of a missing file', '{"errorDetail":{"message":"COPY failed: file not found in build context or excluded by .dockerignore: stat hello.cpp: file does not exist"}}', undefined, /could not find a file to COPY/],
    ['a failing RUN step', '{"errorDetail":{"message":"The command \'/bin/sh -c gcc hello.c -o hello\' returned a non-zero code: 1"}}', undefined, /failed at a RUN step/],
    ['a missing C++ library', undefined, '/app/hello: error while loading shared libraries: libstdc++.so.6: cannot open shared object file: No such file or directory', /needs libstdc\+\+\.so\.6.*-static/],
    ['shell-form CMD in a scratch image', undefined, 'docker: Error response from daemon: OCI runtime create failed: exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown.', /exec form/],
    ['a file that is no program', undefined, 'exec: "/hello": exec format error', /not a program this machine can execute/],
    // The path comes first: in this course "not found" nearly always means the CMD names a file the image lacks.
    ['a shell-form CMD naming a missing path (dash)', undefined, '/bin/sh: 1: /app/bin/hello: not found', /^The shell could not start \/app\/bin\/hello\. First check that the image has that file \(docker run --rm <image> ls -l \/app\/bin\/hello\).*one-stage Dockerfile.*If the file is there, it was built for a different C library/],
    ['a binary for another C library (busybox)', undefined, 'sh: /app/hello: not found', /^The shell could not start \/app\/hello\. First check.*different C library/],
    ['an exec-form CMD naming a missing path', undefined, 'docker: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "/app/bin/hello": stat /app/bin/hello: no such file or directory: unknown.', /^The image has no file at \/app\/bin\/hello, which its CMD names/],
  ])('explains %s', (_what, build, run, hint) => {
    expect(diagnose(build, run, 'FROM stagecraft/toolchain\nRUN gcc --version &&\nMAKE --version\n')).toMatch(hint);
  });

  it('says nothing about output it does not recognise', () => {
    expect(diagnose('{"stream":"Successfully built 1234"}', 'Hello world')).toBeUndefined();
  });
});
