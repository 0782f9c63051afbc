// Hints from what really happened: the learner's last build output or the failing run's output,
// matched against the common failures of these labs. A diagnosis beats a generic hint.

import { editDistance } from './near-miss.ts';

const INSTRUCTIONS = ['FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER'];

interface Diagnosis { pattern: RegExp; hint: (match: RegExpExecArray, dockerfile?: string) => string }

/** Read in order; the first that matches explains the failure. */
const FROM_BUILD: Diagnosis[] = [
  {
    pattern: /line (\d+): unknown instruction: ([A-Za-z-]+)/i,
    hint: (m, dockerfile) => {
      const word = m[2]!.toUpperCase();
      // The Dockerfile the engine read (the gateway's copy keeps the learner's line numbers): did a
      // continued command lose its backslash, or is the word a misspelt instruction?
      const before = (dockerfile ?? '').split('\n').slice(0, Number(m[1]) - 1).filter((line) => line.trim() !== '').at(-1) ?? '';
      if (/(&&|\|\||\||\\)\s*$/.test(before)) {
        return `Your last build stopped at "unknown instruction: ${word}": Docker read "${word.toLowerCase()}" as the start of a new instruction. The line before it ends with ${/&&\s*$/.test(before) ? '&&' : 'an operator'} but no backslash; end it with \\ so the next line continues it.`;
      }
      const meant = INSTRUCTIONS.filter((keyword) => editDistance(keyword, word) <= 2).sort((a, b) => editDistance(a, word) - editDistance(b, word))[0];
      return `Your last build stopped at "unknown instruction: ${word}": ${word} is not a Dockerfile instruction.${meant ? ` Did you mean ${meant}?` : ''}`;
    },
  },
  {
    pattern: /COPY failed/i,
    hint: () => 'Your last build could not find a file to COPY: it must be in the folder you build from (the final "." of docker build), spelled the same, and not listed in .dockerignore.',
  },
  {
    pattern: /returned a non-zero code: \d+/,
    hint: () => 'Your last build failed at a RUN step: scroll up in the terminal to the first error it printed (a compiler error, a missing file) and fix that line.',
  },
];

const FROM_RUN: Diagnosis[] = [
  {
    pattern: /error while loading shared libraries: (\S+?): cannot open shared object file/,
    hint: (m) => `The program needs ${m[1]}, which the final image does not have. Link it statically (-static), or copy that library into the final stage.`,
  },
  {
    pattern: /exec: "\/bin\/sh": stat \/bin\/sh: no such file or directory|\/bin\/sh: no such file/,
    hint: () => 'CMD is in shell form, so Docker runs it with /bin/sh, and this image has no shell. Use exec form: CMD ["/hello"].',
  },
  {
    pattern: /exec format error/,
    hint: () => 'The file the image starts is not a program this machine can execute: a text file without #!, an object file (gcc -c), or one built for another processor. Start the program your compiler linked.',
  },
  {
    // Exec-form CMD naming a file the image does not have.
    pattern: /exec: "([^"]+)": stat \S+: no such file or directory/,
    hint: (m) => `The image has no file at ${m[1]}, which its CMD names: a CMD kept from the one-stage Dockerfile often names where the build stage left the program, not where the final stage copied it. Make CMD name the COPY's destination.`,
  },
  {
    // A shell's "not found": in this course nearly always a path the image does not have (a CMD
    // kept from the one-stage file). dash prints "/bin/sh: 1: X: not found", busybox "sh: X: not
    // found", also when X exists but its loader (another C library's) does not: so the path first.
    pattern: /sh: (?:\d+: )?(\S+): not found/,
    hint: (m) => `The shell could not start ${m[1]}. First check that the image has that file (docker run --rm <image> ls -l ${m[1]}): a CMD kept from the one-stage Dockerfile often names where the build stage left the program, not where the final stage copied it. If the file is there, it was built for a different C library than the final image has (glibc vs musl): build and run on the same family, or link statically.`,
  },
];

/**
 * A hint from the learner's own output, or undefined when nothing familiar is in it. `dockerfile`
 * is the one the engine read in that build, when the gateway recorded it.
 */
export function diagnose(buildOutput: string | undefined, runOutput: string | undefined, dockerfile?: string): string | undefined {
  for (const [text, table] of [[runOutput, FROM_RUN], [buildOutput, FROM_BUILD]] as const) {
    if (!text) continue;
    for (const { pattern, hint } of table) {
      const match = pattern.exec(text);
      if (match) return hint(match, dockerfile);
    }
  }
  return undefined;
}
