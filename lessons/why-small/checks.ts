// Checks of the why-small lesson: both images are still there to measure, the small one is the
// compiled program's, and it holds none of what made the big one big.
export default {
  lesson: 'why-small',
  workdir: 'hello',
  checks: [
    {
      id: 'both-images', kind: 'image.exists', title: 'Your single-stage hello-world is still there to compare', image: 'hello-world', points: 1,
      hints: ['docker image ls lists your images.', 'Rebuild it: cd ~/hello && docker build -f Dockerfile.single -t hello-world .'],
    },
    {
      // Size and contents measure the program's image: an empty image is small and holds nothing.
      id: 'small-program', kind: 'image.program', title: 'hello-world-small starts the program your build stage compiled', image: 'hello-world-small', points: 1,
      hints: ['Rebuild hello-world-small from the two-stage Dockerfile of the previous lesson: cd ~/hello && docker build -t hello-world-small .'],
    },
    {
      id: 'ratio', kind: 'image.smallerThan', title: 'hello-world-small is at least 20× smaller than hello-world', image: 'hello-world-small', than: 'hello-world', ratio: 20, needs: ['small-program'], points: 1,
      hints: ['Compare the SIZE column of docker image ls.', 'Rebuild hello-world-small from the two-stage Dockerfile of the previous lesson.'],
    },
    {
      // The offline profile's runtime image is Debian without apt; the toolchain has it.
      id: 'nothing-to-attack', kind: 'image.lacks', title: 'The small image has no compiler, no package tools and no sources', image: 'hello-world-small',
      paths: ['/usr/bin/gcc', '/usr/bin/make', '/usr/bin/apt', '/app/hello.c'], needs: ['small-program'], points: 2, profiles: ['offline'],
      hints: ['List what is inside each image as the lesson shows.', 'Build hello-world-small from the two-stage Dockerfile whose last stage starts FROM the runtime image.'],
    },
    {
      // Alpine keeps its package tool (apk) in every image made from it, so that is not asked.
      id: 'nothing-to-attack', kind: 'image.lacks', title: 'The small image has no compiler, no build tools and no sources (Alpine keeps its package tool, apk)', image: 'hello-world-small',
      paths: ['/usr/bin/gcc', '/usr/bin/make', '/app/hello.c'], needs: ['small-program'], points: 2, profiles: ['docs'],
      hints: ['List what is inside each image as the lesson shows.', 'Build hello-world-small from the two-stage Dockerfile whose last stage starts FROM the runtime image.'],
    },
    // The learner's own figures, typed in the lesson's "Your measurements" blanks.
    ...([['single', 'hello-world', 'One stage'], ['small', 'hello-world-small', 'Two stages']] as const).flatMap(([id, image, label]) => [
      {
        id: `files-${id}`, kind: 'learner.measured', title: `Your count of the files in ${image} matches it`, label: `Files in the image, ${label.toLowerCase()}`,
        quantity: 'files', image, tolerance: 0.05, points: 1,
        hints: [`Count them as the lesson does: docker run --rm ${image} find / -xdev -type f | wc -l`, 'Type the number wc -l prints, as it is.'],
      },
      {
        id: `bytes-${id}`, kind: 'learner.measured', title: `Your figure for the size of ${image} in bytes matches it`, label: `Size in bytes, ${label.toLowerCase()}`,
        quantity: 'size', image, tolerance: 0.05, points: 1,
        hints: [`docker image inspect --format '{{.Size}}' ${image} prints it in bytes.`, 'Type the number as it is printed.'],
      },
    ]),
  ],
};
