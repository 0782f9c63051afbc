// Checks of the workspace lesson: the learner's Docker CLI reached the lab. Read from what the
// gateway recorded as it answered, never from the terminal's text (echoing the words, or
// `docker --version`, which asks the client alone, does not count).
export default {
  lesson: 'workspace',
  workdir: 'workspace',
  checks: [
    {
      id: 'engine-answered', kind: 'cli.answered', title: 'The lab\'s Docker Engine answered your docker version', request: 'version', points: 1,
      hints: ['Click the terminal, type docker version and press Enter.', 'docker --version asks the client alone; docker version (no dashes) asks the engine too.'],
    },
    {
      id: 'images-listed', kind: 'cli.answered', title: 'You listed your images with docker image ls', request: 'image-list', points: 1,
      hints: ['Type docker image ls in the terminal and press Enter.', 'docker images does the same; either counts.'],
    },
  ],
};
