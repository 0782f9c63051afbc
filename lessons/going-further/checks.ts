// Checks of the going-further lesson: a FROM scratch image with a static binary, run by an exec-form
// CMD because there is no shell to run anything else.
export default {
  lesson: 'going-further',
  workdir: 'scratch',
  checks: [
    {
      id: 'built', kind: 'image.exists', title: 'An image named hello-scratch exists', image: 'hello-scratch', points: 1,
      hints: ['Build it from ~/scratch.', 'Run: cd ~/scratch && docker build -t hello-scratch .'],
    },
    {
      id: 'runs', kind: 'container.runs', title: 'hello-scratch runs and prints Hello, world!', image: 'hello-scratch',
      stdout: { match: 'exact', text: 'Hello, world!' }, compiled: true, needs: ['built'], points: 2,
      hints: [
        'Run it yourself: docker run --rm hello-scratch. "no such file or directory" for /bin/sh means CMD is in shell form.',
        'Compile with gcc -static so the program needs no libraries, and write CMD ["/hello"].',
      ],
    },
    {
      id: 'tiny', kind: 'image.maxSize', title: 'hello-scratch is under 2 MB', image: 'hello-scratch', bytes: 2_000_000, points: 1,
      hints: ['Compare with docker image ls.', 'The final stage must be FROM scratch with only the static binary copied in.'],
    },
    {
      id: 'no-shell', kind: 'image.lacks', title: 'hello-scratch has no shell at all', image: 'hello-scratch', paths: ['/bin/sh', '/bin/busybox'], points: 1,
      hints: ['What does the final stage start FROM?', 'Use FROM scratch for the final stage.'],
    },
    {
      id: 'exec-form', kind: 'dockerfile.execCmd', title: 'The program starts in exec form (CMD or ENTRYPOINT as a JSON list)', image: 'hello-scratch', points: 1,
      hints: ['With no shell in the image, only exec form can start the program.', 'Write CMD ["/hello"] (or ENTRYPOINT ["/hello"]).'],
    },
    // The course's open challenge, judged by its outcome only: any route that builds a program of
    // the learner's own that prints the ten lines passes; its size is the learner's score.
    {
      id: 'challenge', kind: 'container.runs', title: 'Challenge: hello-challenge prints "Hello world using CMake!" ten times (smaller is better)',
      image: 'hello-challenge', stdout: { match: 'lineCount', line: 'Hello world using CMake!', count: 10 }, compiled: true, points: 2, scoredBySize: true,
      hints: [
        'Build the CMake program of lesson 5 under the name hello-challenge: docker build -t hello-challenge . in ~/cmake is a start.',
        'It must still print its ten lines, from a program your own build compiled: then shrink it (FROM scratch, -static, -Os, -s).',
      ],
    },
  ],
  predictions: [
    {
      id: 'shell-form-on-scratch', question: 'Before you run it: what will docker run do with this image, whose CMD is in shell form?',
      choices: [
        { id: 'prints', text: 'Print Hello, world!' },
        { id: 'build-fails', text: 'Nothing: the build itself fails first' },
        { id: 'no-shell', text: 'Fail to start, because there is no shell to run the command' },
        { id: 'no-program', text: 'Fail to start, because /hello is not in the image' },
      ],
    },
  ],
};
