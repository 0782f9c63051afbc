// Checks of the single-stage lesson: the learner's hello-world image exists and prints the greeting.
export default {
  lesson: 'single-stage',
  workdir: 'hello',
  checks: [
    {
      id: 'image-built',
      kind: 'image.exists',
      title: 'An image named hello-world exists',
      image: 'hello-world',
      points: 1,
      hints: [
        'Build the image from your ~/hello folder and give it the name the lesson uses.',
        'Run: cd ~/hello && docker build -t hello-world .  If the build stops with "unknown instruction", end the line before it with a backslash.',
      ],
    },
    {
      id: 'image-runs',
      kind: 'container.runs',
      title: 'hello-world runs and prints Hello, world!',
      image: 'hello-world',
      stdout: { match: 'exact', text: 'Hello, world!' },
      compiled: true,
      needs: ['image-built'],
      points: 2,
      hints: [
        'Run the image yourself with docker run --rm hello-world and compare what it prints.',
        'hello.c must print exactly "Hello, world!" followed by a newline, and the Dockerfile\'s CMD must run /app/bin/hello.',
      ],
    },
  ],
  predictions: [
    {
      id: 'broken-continuation', question: 'Before you build: what will docker build do with this Dockerfile, as printed?',
      choices: [
        { id: 'builds', text: 'Build the image, and the image runs' },
        { id: 'fails-at-gcc', text: 'Run the first steps, then fail when gcc compiles' },
        { id: 'parse-error', text: 'Stop before running any step, with an error about line 3' },
        { id: 'runs-wrong', text: 'Build the image, but the image fails when it runs' },
      ],
    },
  ],
};
