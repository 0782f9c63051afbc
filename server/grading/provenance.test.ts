import { describe, expect, it } from 'vitest';
import { fileToolsOnly, folderFacts, namesCompiler, namesReshaper, originOf, programOf, stageFacts } from './provenance.ts';
import type { Provenance } from './port.ts';
import { elfFile } from '../../tests/support/elf.ts';

/** A build record as the gateway writes it: each stage with its base and name. */
const built = (dockerfile: string): Provenance => ({
  dockerfileName: 'Dockerfile', dockerfile, tags: [], laterTags: [], outcome: 'built', log: '', folder: { files: {}, scripts: [] }, stageImages: [],
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

  it('reads CMD as the arguments of an ENTRYPOINT', () => {
    expect(programOf({ entrypoint: ['/bin/sh', '-c'], cmd: ['/app/hello'], workingDir: '/' })).toMatchObject({ program: '/app/hello', shellForm: true });
    expect(programOf({ entrypoint: ['/app/hello'], cmd: ['--loud'], workingDir: '/' })).toMatchObject({ program: '/app/hello', shellForm: false });
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

describe('originOf reads variables as the engine does', () => {
  const FINAL = 'FROM stagecraft/runtime\nCOPY --from=build /app/hello /app/hello\n';
  const origin = (lines: string, baseEnv = new Map([['stagecraft/runtime', ['PATH=/usr/bin:/bin']], ['stagecraft/toolchain', []]])) =>
    originOf(stageFacts(built(`${BUILD}RUN gcc hello.c -o hello\n${FINAL}${lines}`), baseEnv), 1, '/app/hello');
  const FOLDER = { kind: 'context', source: 'hello.bin' };

  it('ENV beats an ARG of the same name, whichever comes first', () => {
    expect(origin('ENV DEST=/app/hello\nARG DEST=/app/decoy\nCOPY hello.bin $DEST\n')).toEqual(FOLDER);
    expect(origin('ARG DEST=/app/decoy\nENV DEST=/app/hello\nCOPY hello.bin $DEST\n')).toEqual(FOLDER);
  });

  it('a global ARG reaches a stage that declares it again, and only then', () => {
    const withGlobal = (stageLines: string) => originOf(stageFacts(built(`ARG DEST=/app/hello\n${BUILD}RUN gcc hello.c -o hello\n${FINAL}${stageLines}`), new Map([['stagecraft/runtime', []], ['stagecraft/toolchain', []]])), 1, '/app/hello');
    expect(withGlobal('ARG DEST\nCOPY hello.bin $DEST\n')).toEqual(FOLDER);
    // Not declared in the stage: $DEST is empty there, so the copy goes to the working folder, not /app/hello.
    expect(withGlobal('COPY hello.bin $DEST/x\n')).toEqual({ kind: 'run', stage: 0, path: '/app/hello' });
  });

  it('expands an ENV or ARG line with the values from before it', () => {
    expect(origin('ENV D=/app\nENV D=/elsewhere E=$D\nCOPY hello.bin $E/hello\n')).toEqual(FOLDER);
    expect(origin('ARG D=/app\nARG D=/elsewhere E=$D\nCOPY hello.bin $E/hello\n')).toEqual(FOLDER);
  });

  it('reads ${name:-word} and ${name:+word}', () => {
    expect(origin('COPY hello.bin ${NOPE:-/app/hello}\n')).toEqual(FOLDER);
    expect(origin('ARG SET=1\nCOPY hello.bin ${SET:+/app/hello}\n')).toEqual(FOLDER);
  });

  it('an ARG is its stage\'s alone; an ENV is inherited by a stage built on it', () => {
    const facts = (text: string) => stageFacts(built(text), new Map([['stagecraft/toolchain', []]]));
    const inherited = facts('FROM stagecraft/toolchain AS base\nENV D=/app/hello\nARG A=/app/hello\nFROM base\nCOPY hello.bin $D\nCOPY other.bin $A/other\n');
    expect(originOf(inherited, 1, '/app/hello')).toEqual(FOLDER);
    expect(originOf(inherited, 1, '/other')).toEqual({ kind: 'context', source: 'other.bin' });
  });

  it('gives up, rather than guesses, on a variable of a base image whose variables it was not given', () => {
    expect(origin('COPY hello.bin $FROM_THE_IMAGE\n', new Map())).toEqual({ kind: 'unknown' });
    expect(origin('WORKDIR $FROM_THE_IMAGE\nCOPY hello.bin hello\n', new Map())).toEqual({ kind: 'unknown' });
  });

  it('takes a dotted name from a stage for what it may be, a folder', () => {
    const stages = stagesOf(`${BUILD}RUN mkdir out.v1 && gcc hello.c -o out.v1/hello\nFROM stagecraft/runtime\nCOPY --from=build /app/out.v1 /opt/\n`);
    expect(originOf(stages, 1, '/opt/hello')).toEqual({ kind: 'run', stage: 0, path: '/app/out.v1/hello' });
  });
});

describe('stageFacts', () => {
  it('marks the RUNs that name a compiler or build tool as a command word, not text that merely holds one', () => {
    const runs = stagesOf(`${BUILD}RUN LC_ALL=C gcc-12 hello.c\nRUN x86_64-linux-gnu-gcc hello.c\nRUN make\nRUN dd if=/dev/zero of=/pad bs=1M count=100\nRUN echo gccx\n`)[0]!.steps.filter((s) => s.kind === 'run');
    expect(runs.map((s) => s.kind === 'run' && s.compiles)).toEqual([true, true, true, false, false]);
  });

  it('counts a RUN of a folder script that names a compiler as compiling, and only such a script', () => {
    const folder = folderFacts([
      { name: 'build.sh', data: Buffer.from('set -e\nLC_ALL=C c99 hello.c -o hello\n') },
      { name: 'notes.txt', data: Buffer.from('remember to build\n') },
      { name: 'hello.bin', data: Buffer.from('\x7fELF\0\0 gcc') },
    ]);
    expect(folder.scripts).toEqual(['build.sh']);
    expect(Object.values(folder.files).sort()).toEqual(['build.sh', 'hello.bin', 'notes.txt']);
    const runs = stageFacts({ ...built(`${BUILD}RUN if [ -f hello.c ]; then sh build.sh; fi\nRUN cat notes.txt\nRUN sh ./build.sh.bak\n`), folder })[0]!.steps.filter((s) => s.kind === 'run');
    expect(runs.map((s) => s.kind === 'run' && s.compiles)).toEqual([true, false, false]);
  });

  it('lists prebuilt object code of the folder (ELF objects, static archives), not programs or sources', () => {
    const folder = folderFacts([
      { name: 'lib/prebuilt.o', data: elfFile({ type: 1 }) },
      { name: 'libhello.a', data: Buffer.from('!<arch>\n/               0           0     0     0       4         `\n') },
      { name: 'hello.bin', data: elfFile({ type: 3 }) },
      { name: 'hello.c', data: Buffer.from('int main(void) { return 0; }\n') },
    ]);
    expect(folder.objects).toEqual(['lib/prebuilt.o', 'libhello.a']);
  });

  it('sees a compiler named through a variable (ENV CC=gcc, RUN $CC …)', () => {
    const runs = stagesOf(`${BUILD}ENV CC=gcc\nRUN $CC hello.c -o hello\nRUN echo '$CC'\n`)[0]!.steps.filter((s) => s.kind === 'run');
    expect(runs.map((s) => s.kind === 'run' && s.compiles)).toEqual([true, false]);
  });

  it('lists every instruction of a stage in order, one per history entry, each RUN judged on its own', () => {
    // Sixth review: an ARG value with a space, a "#(nop)" in a comment or two RUNs of the same text
    // misled a reader of the history's text. Each instruction is now its own entry.
    const stages = stagesOf(`${BUILD}ARG X="a ; gcc"\nENV C=gcc\nRUN $C --version\nENV C=/app/decode.sh\nRUN $C --version\nRUN base64 -d b > hello # #(nop) x\nCMD ["/hello"]\n`);
    const kinds = stages[0]!.instructions.map((i) => (i.kind === 'run' ? `run:${i.compiles}` : i.kind));
    expect(kinds).toEqual(['other', 'copy', 'other', 'other', 'run:true', 'other', 'run:false', 'run:false', 'other']);
  });

  it('credits a folder script only when a RUN runs it, and no compiler a folder file could stand in for', () => {
    const folder = { files: { a: 'build.sh', b: 'blob.txt' }, scripts: ['build.sh', 'blob.txt'] };
    const compiles = (run: string, facts = folder) => (stageFacts({ ...built(`${BUILD}RUN ${run}\n`), folder: facts })[0]!.steps.at(-1) as { compiles: boolean }).compiles;
    expect(['sh build.sh', './build.sh', '. ./build.sh', 'bash -e build.sh', 'cd /src && /src/build.sh'].map((run) => compiles(run))).toEqual([true, true, true, true, true]);
    expect(['sed 1d blob.txt | base64 -d > hello', 'cat build.sh', 'cp build.sh /x'].map((run) => compiles(run))).toEqual([false, false, false]);
    // A compiler by bare name or in a system folder; a path into the build's files is a script.
    expect(['/usr/bin/gcc h.c', 'x86_64-linux-gnu-gcc-12 h.c', './cc', '/src/gcc h.c'].map((run) => compiles(run))).toEqual([true, true, false, false]);
    expect(compiles('gcc hello.c', { files: { a: 'hello.c', b: 'tools/cc' }, scripts: [] })).toBe(false);
    // Seventh review: a comment runs nothing; /usr/bin/env runs what follows it.
    expect(['base64 -d b > hello # ;gcc', '/usr/bin/env gcc hello.c', 'nice gcc hello.c'].map((run) => compiles(run))).toEqual([false, true, true]);
  });

  it('reads no RUN under a SHELL other than sh -c or bash -c: its text is not what runs', () => {
    const stages = stagesOf('FROM stagecraft/toolchain AS build\nRUN gcc a.c\nSHELL ["/bin/bash", "-c"]\nRUN gcc b.c\nSHELL ["/bin/sh", "-c", "base64 -d x > y"]\nRUN gcc c.c\nRUN ["gcc", "d.c"]\nFROM build\nRUN gcc e.c\n');
    const compiled = stages.map((stage) => stage.steps.map((step) => step.kind === 'run' && step.compiles));
    expect(compiled).toEqual([[true, true, false, true], [false]]);
  });

  it('reads RUNs under a SHELL with shell options only (bash -o pipefail -c, as hadolint advises; eighth review)', () => {
    const stages = stagesOf('FROM stagecraft/toolchain\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN gcc a.c\nSHELL ["/bin/bash", "-eu", "-c"]\nRUN gcc b.c\nSHELL ["/bin/bash", "--rcfile", "/x", "-c"]\nRUN gcc c.c\nSHELL ["/bin/bash", "-o", "/x", "-c"]\nRUN gcc d.c\n');
    expect(stages[0]!.steps.map((step) => step.kind === 'run' && step.compiles)).toEqual([true, true, false, false]);
  });

  it('credits the stage that compiles, not the RUN of the stage it starts from (FROM deps AS build)', () => {
    const stages = stagesOf('FROM stagecraft/toolchain AS deps\nRUN mkdir -p /build\nFROM deps AS build\nWORKDIR /build\nCOPY hello.c .\nRUN gcc -o hello hello.c\nFROM stagecraft/runtime\nCOPY --from=build /build/hello /app/hello\n');
    expect(originOf(stages, 2, '/app/hello')).toEqual({ kind: 'run', stage: 1, path: '/build/hello' });
  });

  it('keeps the base the engine read: a lab image by name, the learner\'s own image by id', () => {
    const id = 'a'.repeat(64);
    const facts = stageFacts({ ...built(`FROM stagecraft/toolchain AS build\nRUN gcc -v\nFROM ${id}\nCMD ["/app/hello"]\n`), stages: [{ index: 0, name: 'build', base: 'stagecraft/toolchain' }, { index: 1, base: 'aaaaaaaaaaaa' }] });
    expect(facts.map((f) => f.baseRef)).toEqual(['stagecraft/toolchain', id]);
  });

  it.each([
    ['gcc hello.c -o hello', true], ['LC_ALL=C gcc-12 hello.c', true], ['cd build && cmake .. && make', true],
    ['if [ -f hello.c ]; then cc hello.c; fi', true], ['/bin/sh -c "gcc hello.c"', true], ['exec x86_64-linux-gnu-gcc x.c', true],
    ['echo gcc', false], ['command -v gcc || true', false], ['echo cc > /dev/null', false], ['apt-get install gcc', false], ['gccx', false],
  ])('reads %s as %s a compile', (line, compiles) => {
    expect(namesCompiler(line)).toBe(compiles);
  });

  it.each([
    ['strip /src/hello && install -D -m 755 /src/hello /opt/bin/hello', true, true], ['mkdir -p /app && cp hello /app/', true, true], ['chmod +x hello', false, true],
    ['base64 -d /tmp/h.b64 > /tmp/x && strip /tmp/x', true, false], ['cp "$(mktemp)" /app/hello', true, false], ['echo strip', false, false],
    ['$TOOL /tmp/x /app/hello', false, false], ['ls | xargs cat > /app/hello', false, false],
    ['/src/x-cp', false, false], ['./strip hello', false, false], ['/usr/bin/strip hello && /bin/cp hello /app/', true, true],
  ])('reads %s: strips or moves a program %s, only file tools %s', (line, reshapes, only) => {
    expect(namesReshaper(line)).toBe(reshapes);
    expect(fileToolsOnly(line)).toBe(only);
  });
});
