// Checks of the multi-stage lesson: hello-world-small runs, is many times smaller than the learner's
// own single-stage image, carries no compiler, and comes from a two-stage Dockerfile.
export default {
  lesson: 'multi-stage',
  workdir: 'hello',
  checks: [
    {
      id: 'small-built', kind: 'image.exists', title: 'An image named hello-world-small exists', image: 'hello-world-small', points: 1,
      hints: ['Build the two-stage Dockerfile under the new name.', 'Run: cd ~/hello && docker build -t hello-world-small .'],
    },
    {
      id: 'small-runs', kind: 'container.runs', title: 'hello-world-small runs and prints Hello, world!', image: 'hello-world-small',
      stdout: { match: 'exact', text: 'Hello, world!' }, compiled: true, needs: ['small-built'], points: 2,
      hints: ['Run it yourself: docker run --rm hello-world-small', 'The final stage must copy the compiled program (COPY --from=build /app/bin/hello /app/hello) and CMD must run that path.'],
    },
    {
      id: 'many-times-smaller', kind: 'image.smallerThan', title: 'hello-world-small is at least 10× smaller than your hello-world', image: 'hello-world-small', than: 'hello-world', ratio: 10, points: 2,
      hints: ['Compare the two with docker image ls | grep hello-world.', 'Only the last stage ends up in the image: start it FROM the small runtime image, not the toolchain, and copy just the binary into it.'],
    },
    {
      id: 'no-compiler', kind: 'image.lacks', title: 'hello-world-small has no compiler and no source code', image: 'hello-world-small', paths: ['/usr/bin/gcc', '/app/hello.c'], points: 2,
      hints: ['Look inside: docker run --rm hello-world-small ls /app /usr/bin', 'The final stage must not start FROM the toolchain, and must copy only bin/hello, not the whole folder.'],
    },
    {
      id: 'binary-inside', kind: 'image.program', title: 'hello-world-small starts the program your build stage compiled', image: 'hello-world-small', points: 1,
      hints: ['Check where COPY --from puts the program, and that CMD starts that path.', 'Use COPY --from=build /app/bin/hello /app/hello in the final stage and CMD /app/hello.'],
    },
    {
      id: 'two-stages', kind: 'dockerfile.stages', title: 'hello-world-small was built from a Dockerfile with two stages', image: 'hello-world-small', atLeast: 2, points: 1,
      hints: ['A stage starts at each FROM line.', 'Add a second FROM line for the final stage, after the build steps.'],
    },
    {
      id: 'named-stage', kind: 'dockerfile.namedStage', title: 'The build stage has a name', image: 'hello-world-small', points: 1,
      hints: ['COPY --from=0 works too, but a name says what the stage is for and survives adding a stage before it.', 'Write the first line as FROM … AS build (any name will do).'],
    },
    {
      id: 'copy-from', kind: 'dockerfile.copyFrom', title: 'The final stage copies the program from an earlier stage', image: 'hello-world-small', points: 1,
      hints: ['COPY can take files from another stage.', 'Use COPY --from=build /app/bin/hello /app/hello.'],
    },
    // The learner's own figures, typed in the lesson's blanks, against their images as they are.
    {
      id: 'measured-single', kind: 'learner.measured', title: 'Your figure for the size of hello-world matches it (within 5%)', label: 'One stage, hello-world',
      quantity: 'size', image: 'hello-world', tolerance: 0.05, points: 1,
      hints: ['docker image ls hello-world shows its size in the SIZE column.', 'Type the SIZE column as it is (e.g. 420MB), or the bytes from docker image inspect --format \'{{.Size}}\' hello-world.'],
    },
    {
      id: 'measured-small', kind: 'learner.measured', title: 'Your figure for the size of hello-world-small matches it (within 5%)', label: 'Two stages, hello-world-small',
      quantity: 'size', image: 'hello-world-small', tolerance: 0.05, points: 1,
      hints: ['docker image ls hello-world-small shows its size in the SIZE column.', 'Type the SIZE column as it is (e.g. 4.2MB), or the bytes from docker image inspect --format \'{{.Size}}\' hello-world-small.'],
    },
    {
      id: 'measured-ratio', kind: 'learner.measured', title: 'Your figure for how many times smaller hello-world-small is matches (within 10%)', label: 'How many times smaller',
      quantity: 'ratio', image: 'hello-world-small', than: 'hello-world', tolerance: 0.1, points: 1,
      hints: ['Divide the size of hello-world by the size of hello-world-small.', 'The lesson\'s three lines with big=… and small=… print the ratio in whole numbers.'],
    },
  ],
};
