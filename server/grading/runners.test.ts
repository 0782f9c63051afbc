// Each check kind against a fake learner engine: one case per outcome class (pass, fail, error).
import { describe, expect, it, vi } from 'vitest';
import { Check } from '../../src/schemas/checks.ts';
import { forLearner, grade, settleRegrade } from './index.ts';
import { CannotJudge, programDigest, type LearnerEngine, type Provenance } from './port.ts';
import type { LessonLab } from './lessons.ts';
import { elfFile } from '../../tests/support/elf.ts';

const COMPILED = { bytes: elfFile({ interpreter: '/lib64/ld-linux-x86-64.so.2', comment: ['GCC: (Debian 12.2.0-14) 12.2.0'] }), size: 16_000, executable: true, imagePreloads: false, path: '/hello' };

const MULTI = 'FROM stagecraft/toolchain AS build\nCOPY hello.c .\nRUN gcc hello.c -o hello\nFROM stagecraft/runtime\nCOPY --from=build /hello /hello\nCMD ["/hello"]\n';
const SINGLE = 'FROM stagecraft/toolchain\nCOPY hello.c .\nRUN gcc hello.c -o hello\nCMD /hello\n';

const built = (dockerfile: string, stages: Provenance['stages']): Provenance => ({ dockerfileName: 'Dockerfile', dockerfile, stages, tags: [], laterTags: [], outcome: 'built', log: '', folder: { files: {}, scripts: [] }, stageImages: stages.map((s) => `stage-${s.index}`) });
const PROVENANCE: Record<string, Provenance> = {
  big: built(SINGLE, [{ index: 0, base: 'stagecraft/toolchain' }]),
  small: built(MULTI, [{ index: 0, name: 'build', base: 'stagecraft/toolchain' }, { index: 1, base: 'stagecraft/runtime' }]),
};

// The images the engine keeps of each build, newest first (one per instruction), and those that do
// not hold the program yet: before the compile (COPY hello.c), and the toolchain itself.
// The last stage ends with the LABEL the engine adds for the gateway's --label.
const HISTORIES: Record<string, string[]> = { big: ['big', 'big~0', 'big~1', 'big~2'], 'stage-0': ['stage-0', 'stage-0~1'], small: ['small', 'small~0', 'small~1'] };
const WITHOUT_PROGRAM = new Set(['big~2', 'stage-0~1', 'toolchain']);

// A fake engine for the runners' logic; the golden cases (tests/golden) judge real images on the real engine.
function engine(overrides: Partial<LearnerEngine> = {}): LearnerEngine {
  const images: Record<string, { id: string; size: number }> = {
    'hello-world': { id: 'big', size: 406e6 }, 'hello-world-small': { id: 'small', size: 4.1e6 }, 'stagecraft/toolchain': { id: 'toolchain', size: 406e6 },
  };
  return {
    image: async (name) => images[name],
    run: async () => ({ stdout: 'Hello, world!\n', stderr: '', exitCode: 0, timedOut: false }),
    pathsExist: async (id, paths) => Object.fromEntries(paths.map((p) => [p, id === 'big'])),
    answered: async () => false,
    readFile: async () => undefined,
    lastBuildOutput: () => undefined,
    lastBuild: async () => undefined,
    provenance: async (id) => PROVENANCE[id],
    config: async (id) => ({ entrypoint: [], cmd: id === 'big' ? ['/bin/sh', '-c', '/hello'] : ['/hello'], workingDir: '/', env: [] }),
    programFile: async (id, path) => (WITHOUT_PROGRAM.has(id) ? undefined : { ...COMPILED, path }),
    // A step's own image (big~2) rests on the toolchain, as every image a build made does.
    history: async (id) => (HISTORIES[id] ?? (id.includes('~') ? [id, 'toolchain'] : [])).map((step) => ({ id: step, createdBy: step === id ? '/bin/sh -c #(nop)  LABEL org.stagecraft.learner=x' : '', size: 0 })),
    stepWrites: async (id) => (id === 'toolchain' ? 'base' : []),
    labImage: async () => 'toolchain',
    imageNames: async () => ['hello-world:latest', 'hello-world-small:latest', 'hello-word:latest'],
    ...overrides,
  };
}

const lab = (check: unknown): LessonLab => ({ slug: 'test', checks: [Check.parse({ points: 2, hints: ['nudge', 'fix'], ...(check as object) })], specHashes: {}, workdir: 'hello', predictions: [] });
// The figure the learner typed for check "c" (learner.measured): 4.16 MB.
const one = async (check: unknown, e = engine(), failures = 0) => (await grade(lab(check), e, { c: failures }, { c: { typed: '4.16 MB', value: 4.16e6 } }))[0]!;

const cases: [string, unknown, LearnerEngine, 'pass' | 'fail' | 'error'][] = [
  ['learner.measured, close to the image', { id: 'c', title: 't', kind: 'learner.measured', quantity: 'size', image: 'hello-world-small', tolerance: 0.05, label: 'l' }, engine(), 'pass'],
  ['learner.measured, another image\'s figure', { id: 'c', title: 't', kind: 'learner.measured', quantity: 'size', image: 'hello-world', tolerance: 0.05, label: 'l' }, engine(), 'fail'],
  ['image.exists, present', { id: 'c', title: 't', kind: 'image.exists', image: 'hello-world' }, engine(), 'pass'],
  ['image.exists, missing', { id: 'c', title: 't', kind: 'image.exists', image: 'nope' }, engine(), 'fail'],
  ['container.runs, right output', { id: 'c', title: 't', kind: 'container.runs', image: 'hello-world', stdout: { match: 'exact', text: 'Hello, world!' } }, engine(), 'pass'],
  ['container.runs, wrong output', { id: 'c', title: 't', kind: 'container.runs', image: 'hello-world', stdout: { match: 'exact', text: 'Hi' } }, engine(), 'fail'],
  ['container.runs, wrong exit code', { id: 'c', title: 't', kind: 'container.runs', image: 'hello-world', stdout: { match: 'contains', text: 'Hello' }, exitCode: 3 }, engine(), 'fail'],
  ['container.runs, ten lines', { id: 'c', title: 't', kind: 'container.runs', image: 'hello-world', stdout: { match: 'lineCount', line: 'Hi', count: 10 } },
    engine({ run: async () => ({ stdout: 'Hi\n'.repeat(10), stderr: '', exitCode: 0, timedOut: false }) }), 'pass'],
  ['container.runs, nine lines', { id: 'c', title: 't', kind: 'container.runs', image: 'hello-world', stdout: { match: 'lineCount', line: 'Hi', count: 10 } },
    engine({ run: async () => ({ stdout: 'Hi\n'.repeat(9), stderr: '', exitCode: 0, timedOut: false }) }), 'fail'],
  ['container.runs, engine down', { id: 'c', title: 't', kind: 'container.runs', image: 'hello-world', stdout: { match: 'regex', pattern: '^Hello' } },
    engine({ run: async () => { throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); } }), 'error'],
  ['image.smallerThan, 98×', { id: 'c', title: 't', kind: 'image.smallerThan', image: 'hello-world-small', than: 'hello-world', ratio: 10 }, engine(), 'pass'],
  ['image.smallerThan, only 2×', { id: 'c', title: 't', kind: 'image.smallerThan', image: 'hello-world-small', than: 'hello-world', ratio: 10 },
    engine({ image: async (n) => (n === 'hello-world' ? { id: 'big', size: 8e6 } : n === 'hello-world-small' ? { id: 'small', size: 4e6 } : n === 'stagecraft/toolchain' ? { id: 'toolchain', size: 406e6 } : undefined) }), 'fail'],
  ['image.maxSize, under', { id: 'c', title: 't', kind: 'image.maxSize', image: 'hello-world-small', bytes: 10e6 }, engine(), 'pass'],
  ['image.maxSize, over', { id: 'c', title: 't', kind: 'image.maxSize', image: 'hello-world', bytes: 10e6 }, engine(), 'fail'],
  ['image.lacks, no gcc', { id: 'c', title: 't', kind: 'image.lacks', image: 'hello-world-small', paths: ['/usr/bin/gcc'] }, engine(), 'pass'],
  ['image.lacks, gcc still inside', { id: 'c', title: 't', kind: 'image.lacks', image: 'hello-world', paths: ['/usr/bin/gcc'] }, engine(), 'fail'],
  ['image.has, present', { id: 'c', title: 't', kind: 'image.has', image: 'hello-world', paths: ['/app/hello'] }, engine(), 'pass'],
  ['image.has, missing', { id: 'c', title: 't', kind: 'image.has', image: 'hello-world-small', paths: ['/app/hello'] }, engine(), 'fail'],
  ['dockerfile.stages, two', { id: 'c', title: 't', kind: 'dockerfile.stages', image: 'hello-world-small', atLeast: 2 }, engine(), 'pass'],
  ['dockerfile.stages, one', { id: 'c', title: 't', kind: 'dockerfile.stages', image: 'hello-world', atLeast: 2 }, engine(), 'fail'],
  ['dockerfile.stages, engine down', { id: 'c', title: 't', kind: 'dockerfile.stages', image: 'hello-world-small', atLeast: 2 },
    engine({ provenance: async () => { throw new CannotJudge('engine_unavailable', 'down'); } }), 'error'],
  ['dockerfile.namedStage, build', { id: 'c', title: 't', kind: 'dockerfile.namedStage', image: 'hello-world-small' }, engine(), 'pass'],
  ['dockerfile.namedStage, none', { id: 'c', title: 't', kind: 'dockerfile.namedStage', image: 'hello-world' }, engine(), 'fail'],
  ['dockerfile.copyFrom, from build', { id: 'c', title: 't', kind: 'dockerfile.copyFrom', image: 'hello-world-small' }, engine(), 'pass'],
  ['dockerfile.copyFrom, none', { id: 'c', title: 't', kind: 'dockerfile.copyFrom', image: 'hello-world' }, engine(), 'fail'],
  ['dockerfile.execCmd, exec form', { id: 'c', title: 't', kind: 'dockerfile.execCmd', image: 'hello-world-small' }, engine(), 'pass'],
  ['dockerfile.execCmd, shell form', { id: 'c', title: 't', kind: 'dockerfile.execCmd', image: 'hello-world' }, engine(), 'fail'],
  ['image.program, compiled in the build stage', { id: 'c', title: 't', kind: 'image.program', image: 'hello-world-small' }, engine(), 'pass'],
  ['image.program, a script', { id: 'c', title: 't', kind: 'image.program', image: 'hello-world-small' }, engine({ programFile: async () => ({ ...COMPILED, bytes: Buffer.from('#!/bin/sh\necho hi') }) }), 'fail'],
  ['image.program, a copy of a packaged tool (no compiler mark)', { id: 'c', title: 't', kind: 'image.program', image: 'hello-world-small' },
    engine({ programFile: async () => ({ ...COMPILED, bytes: elfFile({ interpreter: '/lib64/ld-linux-x86-64.so.2' }) }) }), 'fail'],
  ['image.program, an object file', { id: 'c', title: 't', kind: 'image.program', image: 'hello-world-small' },
    engine({ programFile: async () => ({ ...COMPILED, bytes: elfFile({ type: 1, comment: ['GCC: (Debian 12.2.0-14) 12.2.0'] }) }) }), 'fail'],
  ['container.runs compiled, in an image that preloads a library into every program', { id: 'c', title: 't', kind: 'container.runs', image: 'hello-world-small', stdout: { match: 'exact', text: 'Hello, world!' }, compiled: true },
    engine({ programFile: async () => ({ ...COMPILED, imagePreloads: true }) }), 'fail'],
  ['container.runs compiled, the built program', { id: 'c', title: 't', kind: 'container.runs', image: 'hello-world-small', stdout: { match: 'exact', text: 'Hello, world!' }, compiled: true }, engine(), 'pass'],
  ['container.runs compiled, a base image\'s echo', { id: 'c', title: 't', kind: 'container.runs', image: 'hello-world-small', stdout: { match: 'exact', text: 'Hello, world!' }, compiled: true },
    engine({ config: async () => ({ entrypoint: [], cmd: ['/bin/sh', '-c', 'echo "Hello, world!"'], workingDir: '/', env: [] }) }), 'fail'],
  ['cli.answered, docker version reached the lab', { id: 'c', title: 't', kind: 'cli.answered', request: 'version' }, engine({ answered: async (r) => r === 'version' }), 'pass'],
  ['cli.answered, only docker image ls did', { id: 'c', title: 't', kind: 'cli.answered', request: 'version' }, engine({ answered: async (r) => r === 'image-list' }), 'fail'],
  ['cli.answered, engine down', { id: 'c', title: 't', kind: 'cli.answered', request: 'image-list' },
    engine({ answered: async () => { throw new CannotJudge('engine_unavailable', 'down'); } }), 'error'],
  ['image.exists, a base image under a new name', { id: 'c', title: 't', kind: 'image.exists', image: 'hello-world' }, engine({ provenance: async () => undefined }), 'fail'],
];

describe('check runners', () => {
  it.each(cases)('%s → %s', async (_name, check, e, status) => {
    const result = await one(check, e);
    expect(result.status).toBe(status);
    if (status === 'pass') expect(result.points).toBe(2);
    if (status === 'fail') {
      expect(result.points).toBe(0);
      expect(result.expected).toBeTruthy();
      expect(result.seen).toBeTruthy();
      expect(result.hint).toBeTruthy();
    }
    if (status === 'error') {
      expect(result.points).toBe(0);
      expect(result.cause).toMatch(/^[a-z_]+$/);
    }
  });

  it('covers every check kind with a pass and a fail', () => {
    const kinds = Check.options.map((o) => o.shape.kind.value);
    for (const kind of kinds) {
      const names = cases.filter(([, check]) => (check as { kind: string }).kind === kind).map(([, , , status]) => status);
      expect(names, kind).toEqual(expect.arrayContaining(['pass', 'fail']));
    }
  });

  it('judges a check only once the checks it needs pass', async () => {
    const run = vi.fn(async () => ({ stdout: 'Hello, world!\n', stderr: '', exitCode: 0, timedOut: false }));
    const needing: LessonLab = { slug: 'test', specHashes: {}, workdir: 'hello', predictions: [], checks: [
      Check.parse({ id: 'built', title: 'hello-world exists', kind: 'image.exists', image: 'hello-world', hints: ['h'] }),
      Check.parse({ id: 'runs', title: 'it runs', kind: 'container.runs', image: 'hello-world', stdout: { match: 'exact', text: 'Hello, world!' }, needs: ['built'], hints: ['h'] }),
    ] };
    const [built, runs] = await grade(needing, engine({ provenance: async () => undefined, run }));
    expect(built!.status).toBe('fail');
    expect(runs).toMatchObject({ status: 'fail', seen: 'not judged until "hello-world exists" passes', hint: 'First: hello-world exists.' });
    expect(run).not.toHaveBeenCalled();
    expect((await grade(needing, engine({ run })))[1]!.status).toBe('pass');
    const down = await grade(needing, engine({ image: async () => { throw new CannotJudge('engine_unavailable', 'down'); } }));
    expect(down[1]).toMatchObject({ status: 'error', cause: 'engine_unavailable' });
  });

  it('names a near miss the learner does have', async () => {
    const result = await one({ id: 'c', title: 't', kind: 'image.exists', image: 'hello-world' }, engine({ image: async () => undefined }));
    expect(result.hint).toMatch(/You have hello-word: did you mean hello-world\?/);
  });

  // What the image holds, not the runtime's words, says why it could not start.
  const notStarted = (overrides: Partial<LearnerEngine>) => one({ id: 'c', title: 't', kind: 'container.runs', image: 'hello-world-small', stdout: { match: 'exact', text: 'Hello, world!' } },
    engine({ run: async () => ({ stdout: '', stderr: '', exitCode: 127, timedOut: false, startError: 'exec: "/hello": exec format error' }), ...overrides }));
  it.each<[string, Partial<LearnerEngine>, RegExp]>([
    ['shell form on an image without a shell', { config: async () => ({ entrypoint: [], cmd: ['/bin/sh', '-c', '/hello'], workingDir: '/', env: [] }) }, /shell form, so Docker starts it with \/bin\/sh, and this image has no shell/],
    ['no file at the path CMD starts', { programFile: async () => undefined }, /starts \/hello, and there is no such file/],
    ['a file without an x bit', { programFile: async () => ({ ...COMPILED, executable: false }) }, /not executable/],
    ['a text file', { programFile: async () => ({ ...COMPILED, bytes: Buffer.from('Hello, world!\n') }) }, /not a program: it is a text or data file/],
    ['an object file', { programFile: async () => ({ ...COMPILED, bytes: elfFile({ type: 1, comment: ['GCC: (Debian 12.2.0-14) 12.2.0'] }) }) }, /object file \(what gcc -c writes\)/],
    ['a dynamic program without its loader', {}, /dynamically linked: it needs the loader \/lib64\/ld-linux-x86-64.so.2/],
    ['a script whose interpreter is missing', { programFile: async () => ({ ...COMPILED, bytes: Buffer.from('#!/bin/bash\necho hi\n') }) }, /a script for \/bin\/bash, which this image does not have/],
  ])('a container that cannot start (%s) fails, quoting the runtime, with the hint its image calls for', async (_state, overrides, hint) => {
    const result = await notStarted(overrides);
    expect(result).toMatchObject({ status: 'fail', seen: 'it could not start: exec: "/hello": exec format error' });
    expect(result.hint).toMatch(hint);
  });

  it('reads the image too when runc reports the failed exec as the container\'s own output', async () => {
    const result = await notStarted({
      run: async () => ({ stdout: '', stderr: 'standard_init_linux.go:228: exec user process caused: no such file or directory\n', exitCode: 1, timedOut: false }),
    });
    expect(result).toMatchObject({ status: 'fail', seen: expect.stringContaining('exec user process caused') });
    expect(result.hint).toMatch(/dynamically linked/);
  });

  it('gives a more specific hint after earlier failures', async () => {
    const check = { id: 'c', title: 't', kind: 'image.exists', image: 'nope' };
    expect((await one(check, engine(), 0)).hint).toBe('nudge');
    expect((await one(check, engine(), 1)).hint).toBe('fix');
    expect((await one(check, engine(), 7)).hint).toBe('fix');
  });

  it('says what was expected and seen, with sizes, when the image is only 2× smaller', async () => {
    const result = await one(cases[11]![1], cases[11]![2]);
    expect(result.expected).toBe('hello-world-small at least 10× smaller than hello-world');
    expect(result.seen).toBe('hello-world-small 4.00 MB, hello-world 8.00 MB: 2.0× smaller');
    expect(result.evidence).toMatchObject({ ratio: 2 });
  });

  it('a run that does not finish is a failure that says so, with its output as evidence', async () => {
    const result = await one({ id: 'c', title: 't', kind: 'container.runs', image: 'hello-world', stdout: { match: 'contains', text: 'x' }, timeoutSeconds: 2 },
      engine({ run: async () => ({ stdout: 'y'.repeat(2000), stderr: '', exitCode: 137, timedOut: true }) }));
    expect(result.status).toBe('fail');
    expect(result.seen).toBe('it was still running and was stopped');
    expect(String(result.evidence.output).length).toBeLessThanOrEqual(500);
  });

  it('an engine that hangs makes the check an error after its grace, not a wait without end', async () => {
    vi.useFakeTimers();
    try {
      const pending = one({ id: 'c', title: 't', kind: 'image.exists', image: 'hello-world' }, engine({ image: () => new Promise(() => undefined) }));
      await vi.advanceTimersByTimeAsync(61_000);
      expect(await pending).toMatchObject({ status: 'error', cause: 'engine_unavailable', points: 0 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('never shows the engine\'s own error text (it names host paths), only ours', async () => {
    const leak = Object.assign(new Error('error mounting "/var/lib/docker/containers/abc/hostname" to rootfs'), { statusCode: 500 });
    const result = await one({ id: 'c', title: 't', kind: 'container.runs', image: 'hello-world', stdout: { match: 'exact', text: 'x' } },
      engine({ run: async () => { throw leak; } }));
    expect(result).toMatchObject({ status: 'error', cause: 'engine_unavailable' });
    expect(JSON.stringify(result)).not.toContain('/var/lib/docker');
  });
});

describe('settleRegrade', () => {
  const result = (status: 'pass' | 'fail', evidence: Record<string, string | number> = {}) => ({ id: 'c', title: 't', status, points: status === 'pass' ? 2 : 0, maxPoints: 2, evidence });
  it('keeps a pass in force when the image is gone since (recorded missingImage), and only then', () => {
    expect(settleRegrade([result('fail', { missingImage: 'hello-world' })], { c: 'pass' })[0]).toMatchObject({ status: 'error', cause: 'image_gone', points: 0 });
    expect(settleRegrade([result('fail', { missingImage: 'hello-world' })], { c: 'fail' })[0]!.status).toBe('fail');
    // The image is gone because the latest build failed: the learner needs that fail and its hint.
    expect(settleRegrade([result('fail', { missingImage: 'hello-world', lastBuildFailed: 1 })], { c: 'pass' })[0]!.status).toBe('fail');
    // Words alone decide nothing: a fail without the recorded cause stays a fail.
    expect(settleRegrade([{ ...result('fail'), seen: 'no image named hello-world' }], { c: 'pass' })[0]!.status).toBe('fail');
  });

});

describe('the work, not the look of it', () => {
  const program = { id: 'c', title: 't', kind: 'image.program', image: 'hello-world-small' };
  const withBuild = (dockerfile: string, extra: Partial<Provenance> = {}) => engine({
    provenance: async (id) => (id === 'small' ? { ...built(dockerfile, [{ index: 0, name: 'build', base: 'stagecraft/toolchain' }, { index: 1, base: 'stagecraft/runtime' }]), ...extra } : PROVENANCE[id]),
  });

  it('credits a RUN with the program only where its stage compiles', async () => {
    const copied = await one(program, withBuild('FROM stagecraft/toolchain AS build\nCOPY hello.bin /tmp/h\nRUN cp /tmp/h /hello\nFROM stagecraft/runtime\nCOPY --from=build /hello /hello\nCMD ["/hello"]\n'));
    expect(copied).toMatchObject({ status: 'fail', seen: expect.stringContaining('compiles nothing') });
    expect((await one(program, withBuild(MULTI))).status).toBe('pass');
  });

  it('never passes a program that is byte for byte a file of the build folder', async () => {
    const brought = await one(program, withBuild(MULTI, { folder: { files: { [programDigest(COMPILED.bytes)]: 'hello.bin' }, scripts: [] } }));
    expect(brought).toMatchObject({ status: 'fail', seen: expect.stringContaining('byte for byte hello.bin of your build folder') });
  });

  it('compares sizes only against a one-stage build that compiles its own program in its final image', async () => {
    const ratio = { id: 'c', title: 't', kind: 'image.smallerThan', image: 'hello-world-small', than: 'hello-world', ratio: 10 };
    const borrowed = engine({ provenance: async (id) => (id === 'big' ? built('FROM stagecraft/toolchain\nCOPY hello.bin /hello\nRUN gcc --version\nCMD /hello\n', [{ index: 0, base: 'stagecraft/toolchain' }]) : PROVENANCE[id]) });
    expect(await one(ratio, borrowed)).toMatchObject({ status: 'fail', seen: expect.stringContaining('copied from your folder') });
    expect((await one(ratio)).status).toBe('pass');
  });

  it('finds a bare program name on the PATH the image sets', async () => {
    const found = vi.fn(async (_id: string, paths: string[]) => Object.fromEntries(paths.map((p) => [p, p === '/opt/bin/hello'])));
    const onPath = engine({
      pathsExist: found,
      config: async () => ({ entrypoint: [], cmd: ['hello'], workingDir: '/', env: ['PATH=/opt/bin:/usr/bin'] }),
      provenance: async () => built('FROM stagecraft/toolchain AS build\nCOPY hello.c .\nRUN gcc hello.c -o hello\nFROM stagecraft/runtime\nCOPY --from=build /hello /opt/bin/hello\nCMD ["hello"]\n', [{ index: 0, name: 'build', base: 'stagecraft/toolchain' }, { index: 1, base: 'stagecraft/runtime' }]),
    });
    expect(await one(program, onPath)).toMatchObject({ status: 'pass', evidence: expect.objectContaining({ program: '/opt/bin/hello' }) });
  });

  it('gives a verdict without its hint when the hint cannot be worked out', async () => {
    const result = await one({ id: 'c', title: 't', kind: 'container.runs', image: 'hello-world-small', stdout: { match: 'exact', text: 'Hello, world!' } },
      engine({ run: async () => ({ stdout: '', stderr: '', exitCode: 127, timedOut: false, startError: 'too many levels of symbolic links' }), programFile: async () => { throw new Error('the engine refused the path'); } }));
    expect(result).toMatchObject({ status: 'fail', seen: expect.stringContaining('too many levels of symbolic links') });
  });

  it('never credits a program whose code is not what the compiling stage left at that path', async () => {
    const other = { ...COMPILED, bytes: Buffer.from(COMPILED.bytes) };
    other.bytes.writeBigUInt64LE(0x401000n, 24); // another entry point: other code
    const changed = engine({ programFile: async (id, path) => (id === 'stage-0' ? { ...COMPILED, path } : { ...other, path }) });
    expect(await one(program, changed)).toMatchObject({ status: 'fail', seen: expect.stringContaining('a later step changed or replaced it') });
    const gone = engine({ programFile: async (id, path) => { if (id === 'stage-0') throw Object.assign(new Error('no such image'), { statusCode: 404 }); return { ...COMPILED, path }; } });
    expect(await one(program, gone)).toMatchObject({ status: 'fail', seen: expect.stringContaining('an image the build made is gone') });
  });

  it("judges a base given by id (the learner's own image) by that image, whatever its name now", async () => {
    const id = 'b'.repeat(64);
    const looked = vi.fn(async (image: string, paths: string[]) => Object.fromEntries(paths.map((p) => [p, image === `sha256:${id}`])));
    const fromOwn = engine({
      pathsExist: looked,
      provenance: async () => built(`FROM stagecraft/toolchain AS build\nRUN gcc --version\nFROM ${id}\nRUN command -v gcc\nCMD ["/hello"]\n`, [{ index: 0, name: 'build', base: 'stagecraft/toolchain' }, { index: 1, base: 'bbbbbbbbbbbb' }]),
    });
    expect(await one(program, fromOwn)).toMatchObject({ status: 'fail', seen: expect.stringContaining('your build did not make it') });
  });
});

describe('learner.measured', () => {
  const size = { id: 'm', title: 't', kind: 'learner.measured', quantity: 'size', image: 'hello-world-small', tolerance: 0.05, label: 'Size of hello-world-small', hints: ['h'] };
  const ratio = { ...size, quantity: 'ratio', than: 'hello-world', tolerance: 0.1, label: 'How many times smaller' };
  const measured = async (check: object, typed: Record<string, { typed: string; value: number }>, e = engine()) => (await grade(lab(check), e, {}, typed))[0]!;

  it('passes a size within the tolerance of the image, and keeps both figures as evidence', async () => {
    const result = await measured(size, { m: { typed: '4.16 MB', value: 4.16e6 } });
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({ typed: '4.16 MB', value: 4.16e6, actual: 4.1e6, imageId: 'small' });
  });

  it('fails a figure too far off, saying neither the real one nor which way it is off (a search would find it)', async () => {
    const high = await measured(size, { m: { typed: '5MB', value: 5e6 } });
    const low = await measured(size, { m: { typed: '3MB', value: 3e6 } });
    expect([high.status, low.status]).toEqual(['fail', 'fail']);
    expect(high.seen).toBe('you typed 5MB, which is more than 5% away from what your images measure now');
    expect(low.seen!.replace('3MB', '5MB')).toBe(high.seen);
    expect(`${high.expected} ${high.seen} ${high.hint}`).not.toMatch(/4\.1|4100000/);
  });

  it('shows the learner none of the real figures the store keeps', async () => {
    const results = await grade(lab(size), engine(), {}, { m: { typed: '5MB', value: 5e6 } });
    expect(results[0]!.evidence).toMatchObject({ actual: 4.1e6, size: 4.1e6 });
    const shown = forLearner(lab(size), results)[0]!;
    expect(shown.evidence).toEqual({ imageId: 'small', typed: '5MB', value: 5e6, tolerance: 0.05 });
    expect(JSON.stringify(shown)).not.toMatch(/4100000|4\.1e/);
  });

  it('fails when nothing is typed yet, naming the box', async () => {
    const result = await measured(size, {});
    expect(result.status).toBe('fail');
    expect(result.hint).toContain('Size of hello-world-small');
  });

  it('judges a ratio of the two images', async () => {
    expect((await measured(ratio, { m: { typed: '99', value: 99 } })).status).toBe('pass'); // 406 / 4.1 = 99.0
    expect((await measured(ratio, { m: { typed: '40', value: 40 } })).status).toBe('fail');
  });

  it('counts the files of an image inside it, and cannot judge an image without sh or find', async () => {
    const files = { ...size, quantity: 'files', label: 'Files' };
    const counting = engine({ run: async (_id, command) => ({ stdout: command?.join(' ').includes('find / -xdev -type f') ? '23\n' : '', stderr: '', exitCode: 0, timedOut: false }) });
    expect((await measured(files, { m: { typed: '23', value: 23 } }, counting)).status).toBe('pass');
    expect((await measured(files, { m: { typed: '30', value: 30 } }, counting)).status).toBe('fail');
    const bare = engine({ run: async () => ({ stdout: '', stderr: 'exec: "sh": executable file not found in $PATH', exitCode: 127, timedOut: false }) });
    expect(await measured(files, { m: { typed: '23', value: 23 } }, bare)).toMatchObject({ status: 'error', cause: 'cannot_count' });
  });

  it('fails, before comparing anything, when an image is missing', async () => {
    const result = await measured({ ...ratio, than: 'nope' }, { m: { typed: '99', value: 99 } });
    expect(result.status).toBe('fail');
    expect(result.evidence.missingImage).toBe('nope');
  });

  it('cannot judge while the engine does not answer', async () => {
    const down = engine({ image: async () => { throw new CannotJudge('engine_unavailable', 'down'); } });
    const result = await measured(size, { m: { typed: '4.16 MB', value: 4.16e6 } }, down);
    expect(result).toMatchObject({ status: 'error', cause: 'engine_unavailable' });
  });
});
