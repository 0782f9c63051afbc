import { describe, expect, it } from 'vitest';
import { originOf, programOf, stageFacts } from './provenance.ts';
import type { Provenance } from './port.ts';

/** A build record as the gateway writes it: each stage with its base and name. */
const built = (dockerfile: string): Provenance => ({
  dockerfileName: 'Dockerfile', dockerfile, tags: [], laterTags: [], outcome: 'built', log: '',
  stages: [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)].map((m, index) => ({ index, base: m[1]!, ...(m[2] ? { name: m[2].toLowerCase() } : {}) })),
});
const stagesOf = (dockerfile: string) => stageFacts(built(dockerfile));
const BUILD = 'FROM stagecraft/toolchain AS build\nWORKDIR /app\nCOPY hello.c build.sh ./\n';

describe('programOf', () => {
  it('follows the cd steps of a shell form to the program they lead to', () => {
    const shell = (line: string) => programOf({ entrypoint: [], cmd: ['/bin/sh', '-c', line], workingDir: '/' }).program;
    expect(shell('cd /app && ./hello')).toBe('/app/hello');
    expect(shell('cd /opt; cd hello && exec ./run')).toBe('/opt/hello/run');
    expect(shell('/app/hello')).toBe('/app/hello');
  });
});

describe('originOf', () => {
  it('credits a RUN however it compiles: a script, sh -c, an if, a variable before gcc, c99', () => {
    for (const run of ['RUN sh build.sh', 'RUN ["/bin/sh", "-c", "gcc hello.c -o hello"]', 'RUN if [ -f hello.c ]; then gcc hello.c -o hello; fi', 'RUN LC_ALL=C gcc hello.c -o hello', 'RUN c99 hello.c -o hello']) {
      const stages = stagesOf(`${BUILD}${run}\nFROM stagecraft/runtime\nCOPY --from=build /app/hello /app/hello\n`);
      expect(originOf(stages, 1, '/app/hello'), run).toEqual({ kind: 'run', stage: 0, path: '/app/hello' });
    }
  });

  it('sees a RUN of the final stage that comes after the copy (a link it makes, or a file it writes over)', () => {
    const stages = stagesOf(`${BUILD}RUN gcc hello.c -o hello\nFROM stagecraft/runtime\nCOPY --from=build /app/hello /opt/hello\nRUN ln -s /opt/hello /usr/local/bin/hello\n`);
    expect(originOf(stages, 1, '/usr/local/bin/hello')).toEqual({ kind: 'run', stage: 1, path: '/usr/local/bin/hello' });
  });

  it('never lets a later RUN launder a file copied in from the folder at that path', () => {
    const stages = stagesOf('FROM stagecraft/toolchain\nCOPY hello.bin /app/bin/hello\nRUN gcc --version\n');
    expect(originOf(stages, 0, '/app/bin/hello')).toEqual({ kind: 'context', source: 'hello.bin' });
  });

  it('traces a file copied from the folder after the compile to the folder', () => {
    const stages = stagesOf(`${BUILD}RUN gcc hello.c -o hello\nFROM stagecraft/runtime\nCOPY --from=build /app/hello /app/hello\nARG EXTRA=/app/hello\nCOPY prebuilt \${EXTRA}\n`);
    expect(originOf(stages, 1, '/app/hello')).toEqual({ kind: 'context', source: 'prebuilt' });
  });
});

describe('stageFacts', () => {
  it('marks the RUNs that name a compiler or build tool as a command word, not text that merely holds one', () => {
    const runs = stagesOf(`${BUILD}RUN LC_ALL=C gcc-12 hello.c\nRUN x86_64-linux-gnu-gcc hello.c\nRUN make\nRUN dd if=/dev/zero of=/pad bs=1M count=100\nRUN echo gccx\n`)[0]!.steps.filter((s) => s.kind === 'run');
    expect(runs.map((s) => s.kind === 'run' && s.compiles)).toEqual([true, true, true, false, false]);
  });
});
