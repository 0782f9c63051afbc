// Checks of the CMake lesson (document 004): hello-cmake prints its line ten times, carries no
// toolchain, stays small, and comes from a Dockerfile with a named stage and an exec-form CMD.
export default {
  lesson: 'cmake',
  workdir: 'cmake',
  checks: [
    {
      id: 'built', kind: 'image.exists', title: 'An image named hello-cmake exists', image: 'hello-cmake', points: 1,
      hints: ['Build it from ~/cmake (and press Check before the tidy-up step removes it).', 'Run: cd ~/cmake && docker build -t hello-cmake .'],
    },
    {
      id: 'ten-lines', kind: 'container.runs', title: 'hello-cmake prints "Hello world using CMake!" ten times',
      image: 'hello-cmake', stdout: { match: 'lineCount', line: 'Hello world using CMake!', count: 10 }, compiled: true, needs: ['built'], points: 2,
      hints: [
        'Run it yourself: docker run --rm hello-cmake. If it cannot start, read the error: a missing libstdc++.so.6 means the runtime image lacks the C++ library.',
        'Link statically so the program needs no libraries: add set(CMAKE_EXE_LINKER_FLAGS "-static") to CMakeLists.txt, then rebuild.',
      ],
    },
    {
      id: 'no-toolchain', kind: 'image.lacks', title: 'hello-cmake has no compiler, no CMake and no sources', image: 'hello-cmake',
      paths: ['/usr/bin/g++', '/usr/bin/cmake', '/app/hello.cpp'], points: 2,
      hints: ['Only the final stage ships: what does it start FROM?', 'Start the final stage FROM the runtime image and copy only /app/build/hello from the build stage.'],
    },
    {
      id: 'small', kind: 'image.maxSize', title: 'hello-cmake is under 20 MB', image: 'hello-cmake', bytes: 20_000_000, points: 1,
      hints: ['Compare with docker image ls.', 'The final stage must start FROM the small runtime image, not the toolchain.'],
    },
    {
      id: 'named-stage', kind: 'dockerfile.namedStage', title: 'The build stage has a name', image: 'hello-cmake', points: 1,
      hints: ['Stages are numbered from 0 unless you name them; a name says what the stage is for.', 'Write the first line as FROM … AS build (any name will do).'],
    },
    {
      id: 'copy-from', kind: 'dockerfile.copyFrom', title: 'The final stage copies the program from another stage', image: 'hello-cmake', points: 1,
      hints: ['COPY can take files from a stage by name or number.', 'Use COPY --from=build /app/build/hello . in the final stage.'],
    },
    {
      id: 'exec-form', kind: 'dockerfile.execCmd', title: 'The program starts in exec form (CMD or ENTRYPOINT as a JSON list)', image: 'hello-cmake', points: 1,
      hints: ['Exec form is a JSON list of strings: no shell stands between Docker and your program.', 'Write CMD ["./hello"] (or ENTRYPOINT ["./hello"]), with double quotes.'],
    },
    {
      id: 'measured-size', kind: 'learner.measured', title: 'Your figure for the size of hello-cmake matches it (within 5%)', label: 'Size of hello-cmake',
      quantity: 'size', image: 'hello-cmake', tolerance: 0.05, points: 1,
      hints: ['docker image ls hello-cmake shows its size in the SIZE column.', 'Type the SIZE column as it is (e.g. 8.3MB), after the static link: the figure is compared with the image as it is now.'],
    },
  ],
  predictions: [
    {
      id: 'cpp-runtime', question: 'Before you run it: the image built without a complaint. What will docker run hello-cmake do?',
      choices: [
        { id: 'prints', text: 'Print Hello world using CMake! ten times' },
        { id: 'missing-library', text: 'Fail to start, because a library the program needs is not in the image' },
        { id: 'no-shell', text: 'Fail to start, because the image has no shell' },
        { id: 'no-program', text: 'Fail to start, because the program is not where CMD looks' },
      ],
    },
  ],
};
