// What points the compiler at other files than the lab's: options of a compile, variables of the build.
import { describe, expect, it } from 'vitest';
import { linesOfStages } from './provenance.ts';
import { copyTarget, copyWrites, steeringVariables, steersCompiler, systemWrites, WRITES_KEPT } from './toolchain.ts';

const LAB_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
const DOCKERFILE = 'FROM stagecraft/toolchain\nCOPY hello.c .\nRUN gcc hello.c -o hello\n';

describe('steersCompiler', () => {
  it.each([
    ['gcc -B/tools/ hello.c -o hello', /-B\/tools\//],
    ['gcc -B /tools hello.c', /-B /],
    ['gcc -wrapper /src/w hello.c', /-wrapper/],
    ['gcc -specs=/src/my.specs hello.c', /-specs/],
    ['gcc --specs=/src/my.specs hello.c', /--specs/],
    ['gcc -fplugin=/src/p.so hello.c', /-fplugin/],
    ['gcc --sysroot=/src/root hello.c', /--sysroot/],
    ['gcc -fuse-ld=/src/ld hello.c', /-fuse-ld/],
    ['gcc -Wl,-plugin,/src/p.so hello.c', /-plugin/],
    ['PATH=/src:$PATH gcc hello.c', /sets PATH/],
    ['cmake -S . -B build -DCMAKE_C_FLAGS=-B/tools/', /-B\/tools\//],
    ['make CC="gcc -B/tools/"', /-B\/tools\//],
    ['make -B CFLAGS=-B/tools/', /-B\/tools\//],
    // Second review of the ninth session: a response file holds any option (-wrapper …).
    ['gcc @/opt/w/opts hello.c -o hello', /@\/opt\/w\/opts/],
    ['make SHELL=/opt/w/sh hello', /SHELL runs \/opt\/w\/sh/],
    // Fourth review: a linker plugin passed as -Xlinker's word or inside a -Wl, list.
    ['gcc hello.c -o hello -Xlinker -plugin -Xlinker /opt/p/p.so', /-plugin/],
    ['gcc hello.c -o hello -Wl,-O1,-plugin,/opt/p/p.so', /-Wl,-O1,-plugin/],
    ['gcc hello.c -Wl,-O1,@/opt/o', /-Wl,-O1,@/],
    ['make CC="sh /opt/w/t.sh"', /CC runs sh \/opt\/w\/t.sh/],
    // A login or interactive shell reads ~/.profile or ~/.bashrc (useradd's copies of /etc/skel are no system write).
    ['bash -l -c "gcc hello.c -o hello"', /bash -l/],
    ['sh -i -c "gcc hello.c"', /sh -i/],
    ['bash --rcfile /opt/rc -c "gcc hello.c"', /bash --rcfile/],
  ])('refuses %s', (run, why) => {
    expect(steersCompiler(run, DOCKERFILE)).toMatch(why);
  });

  it('refuses shell code in the stages\' ENV and ARG values (make pastes them into what sh runs)', () => {
    expect(steersCompiler('make', 'FROM stagecraft/toolchain\nARG CFLAGS="-O2; base64 -d p > hello"\nRUN make CFLAGS="$CFLAGS"\n')).toMatch(/ARG holds shell code/);
    expect(steersCompiler('make', 'FROM stagecraft/toolchain\nENV PATH=$PATH:/opt/x CC=gcc DEST=${DEST:-/app}\nRUN make\n')).toBeUndefined();
  });

  it('reads no response file in a LABEL (maintainer=@someone)', () => {
    expect(steersCompiler('gcc hello.c -o hello', 'FROM stagecraft/toolchain\nLABEL maintainer=@someone\nMAINTAINER @me\nRUN gcc hello.c -o hello\n')).toBeUndefined();
  });

  it('refuses a tool variable that names a program of the learner\'s, inline or in the Dockerfile', () => {
    expect(steersCompiler('make', 'FROM stagecraft/toolchain\nRUN CC=/src/mycc make\n')).toMatch(/CC runs \/src\/mycc/);
    expect(steersCompiler('make CC=./mycc', DOCKERFILE)).toMatch(/CC runs \.\/mycc/);
    expect(steersCompiler('make CC=gcc-12', DOCKERFILE)).toBeUndefined();
    expect(steersCompiler('make CC=$CC CFLAGS="-O2 -Wall"', DOCKERFILE)).toBeUndefined();
    expect(steersCompiler('make', 'FROM stagecraft/toolchain\nLABEL org.example.name=hello\nRUN cmake -DCMAKE_BUILD_TYPE=Release . && make\n')).toBeUndefined();
    expect(steersCompiler('make hello COMPILE.c="sh /opt/w/t.sh"', DOCKERFILE)).toMatch(/COMPILE\.c/);
    expect(steersCompiler('cmake -DCMAKE_C_COMPILER=/opt/w/t.sh -B build', DOCKERFILE)).toMatch(/runs \/opt\/w\/t\.sh/);
    expect(steersCompiler('cmake -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER:FILEPATH=/usr/bin/g++ -B build', DOCKERFILE)).toBeUndefined();
    expect(steersCompiler('bash -c "gcc -O2 hello.c -o hello && ls"', 'FROM stagecraft/toolchain\nENV SHELLOPTS=xtrace PS4=\'$(x)+ \'\n')).toMatch(/SHELLOPTS|shell code/);
    expect(steersCompiler('gcc hello.c', 'FROM stagecraft/toolchain\nENV SHELLOPTS=xtrace\n')).toMatch(/SHELLOPTS/);
  });

  it('reads a build tool\'s own options in the Dockerfile\'s lines as its own', () => {
    expect(steersCompiler('make -B hello', 'FROM stagecraft/toolchain\nRUN make -B hello\n')).toBeUndefined();
    expect(steersCompiler('cmake -B build', 'FROM stagecraft/toolchain\nRUN cmake -B build -S .\n')).toBeUndefined();
    expect(steersCompiler('make', 'FROM stagecraft/toolchain\nENV CFLAGS=-B/tools/\nRUN make\n')).toMatch(/-B\/tools\//);
  });

  it('reads only the compile\'s own stages, and the ARGs before the first FROM', () => {
    const dockerfile = 'ARG CFLAGS=-B/tools/\nFROM stagecraft/toolchain AS build\nRUN gcc hello.c -o hello\nFROM stagecraft/runtime\nENV LD_LIBRARY_PATH=/app/lib\nCOPY --from=build /hello /app/hello\n';
    expect(linesOfStages(dockerfile, [0])).toBe('ARG CFLAGS=-B/tools/\nFROM stagecraft/toolchain AS build\nRUN gcc hello.c -o hello');
    expect(steersCompiler('gcc hello.c -o hello', linesOfStages(dockerfile, [0]))).toMatch(/-B\/tools\//);
    // The runtime stage's loader path reaches no compile.
    expect(steersCompiler('gcc hello.c -o hello', linesOfStages(dockerfile.replace('ARG CFLAGS=-B/tools/\n', ''), [0]))).toBeUndefined();
  });

  it.each(['LD_PRELOAD', 'COMPILER_PATH', 'GCC_EXEC_PREFIX', 'LIBRARY_PATH', 'LD_LIBRARY_PATH', 'BASH_ENV'])('refuses a Dockerfile that sets %s anywhere', (name) => {
    expect(steersCompiler('gcc hello.c -o hello', `FROM stagecraft/toolchain\nARG ${name}=/src/x\nRUN gcc hello.c -o hello\n`)).toMatch(name);
  });

  it.each([
    'gcc hello.c -o hello', 'gcc -O2 -Wall -static hello.c -o /app/hello', 'gcc -fuse-ld=gold hello.c', 'gcc -Wl,-Bstatic hello.c -Wl,-Bdynamic', 'gcc -Wl,-O1,--as-needed,-rpath,$ORIGIN hello.c', 'gcc hello.c -Xlinker -Bstatic',
    'make CFLAGS=-O2', 'cmake -S . -B build && cmake --build build', 'bash -c "gcc hello.c -o hello"', 'sh -ec "gcc hello.c"', 'make -B', 'make --always-make hello', 'cmake -Bbuild -S .', 'mkdir -p build && cd build && cmake .. && make',
  ])('accepts %s', (run) => {
    expect(steersCompiler(run, DOCKERFILE)).toBeUndefined();
  });

  it.each([
    ['make CC="gcc -B/tools/"', /-B\/tools\//],
    ['make', /-B\/tools\//, 'FROM stagecraft/toolchain\nENV CFLAGS="-O2 -B/tools/"\nRUN make\n'],
    ['make', /-wrapper/, 'FROM stagecraft/toolchain\nARG CFLAGS=-wrapper\nRUN make\n'],
  ])('reads options that reach gcc through make: %s', (run, why, dockerfile = DOCKERFILE) => {
    expect(steersCompiler(run, dockerfile)).toMatch(why);
  });
});

describe('steeringVariables', () => {
  it('accepts the lab\'s PATH and variables of the learner\'s own', () => {
    expect(steeringVariables([...LAB_ENV, 'CFLAGS=-O2', 'CC=gcc', 'CXX=/usr/bin/g++', 'CC=gcc -m64', 'CXX=x86_64-linux-gnu-g++-12', 'LD=ld.gold', 'RM=rm -f', 'LEX=flex', 'CPP=gcc -E', 'GCC_VERSION=12', 'BUILD_DIR=/src/build', 'CMAKE_BUILD_TYPE=Release', 'DEST=/app'], LAB_ENV)).toBeUndefined();
  });

  it.each([
    [['PATH=/src:/usr/bin'], /PATH is not the lab's/],
    [[...LAB_ENV, 'LD_PRELOAD=/src/x.so'], /LD_PRELOAD/],
    [[...LAB_ENV, 'COMPILER_PATH=/tools'], /COMPILER_PATH/],
    [[...LAB_ENV, 'BASH_FUNC_gcc%%=() { cp /x hello; }'], /BASH_FUNC_gcc/],
    // Ninth review: xtrace expands PS4, a $(…) of the learner's, before every command of the compile.
    [[...LAB_ENV, 'SHELLOPTS=xtrace', 'PS4=$(base64 -d /opt/p.b64 > hello)+ '], /SHELLOPTS/],
    [[...LAB_ENV, 'PS4=$(x)'], /PS4/],
    [[...LAB_ENV, 'GCONV_PATH=/src/gconv'], /GCONV_PATH/],
    [[...LAB_ENV, 'GLIBC_TUNABLES=glibc.rtld.x=1'], /GLIBC_TUNABLES/],
    [[...LAB_ENV, 'CMAKE_C_COMPILER_LAUNCHER=/src/l'], /LAUNCHER/],
    [[...LAB_ENV, 'CFLAGS=-O2 -B/tools/'], /CFLAGS holds -B\/tools\//],
    [[...LAB_ENV, 'CC=/src/mycc'], /CC runs \/src\/mycc/],
    [[...LAB_ENV, 'CC=sh /opt/w/t.sh'], /CC runs sh \/opt\/w\/t.sh/],
    [[...LAB_ENV, 'LINK.o=sh /opt/w/t.sh'], /LINK\.o is one of the commands/],
    [[...LAB_ENV, 'LEX=bash'], /LEX runs bash/],
    [[...LAB_ENV, 'RM=sh /opt/w/t.sh'], /RM runs sh/],
    [[...LAB_ENV, 'SSH_CLIENT=10.0.0.1 40000 22'], /SSH_CLIENT/],
    [[...LAB_ENV, 'CFLAGS=@/opt/w/opts'], /CFLAGS holds @\/opt\/w\/opts/],
    [[...LAB_ENV, 'MAKEFLAGS=SHELL=/opt/w/sh'], /MAKEFLAGS/],
    [[...LAB_ENV, 'TMP=/src/t'], /TMP/],
    // Third review: make pastes variables of the environment into what sh runs.
    [[...LAB_ENV, 'LDLIBS=-o hello.own; base64 -d /opt/w/p.b64 > hello; true'], /LDLIBS holds shell code/],
    [[...LAB_ENV, 'CFLAGS=-O2 $(cat /opt/x)'], /CFLAGS holds shell code/],
    // Fourth review: make's own functions run as make expands the recipe.
    [[...LAB_ENV, 'CFLAGS=-O2 ${shell gunzip -f hello.gz}'], /CFLAGS holds shell code/],
    [[...LAB_ENV, 'LDFLAGS=-Wl,-O1,-plugin,/opt/p/p.so'], /LDFLAGS holds -Wl,-O1,-plugin/],
  ])('refuses %j', (env, why) => {
    expect(steeringVariables(env, LAB_ENV)).toMatch(why);
  });
});

describe('systemWrites', () => {
  const change = (Path: string, Kind = 1) => ({ Path, Kind });

  it('names what a step wrote in the system\'s folders, by any name and any way', () => {
    // RUN rm /bin && mkdir /bin && cp sh /bin/sh; a start-up file gcc searches first; a g++ of its own; a deletion.
    expect(systemWrites([change('/bin', 0), change('/bin/sh')])).toEqual(['/bin/sh']);
    expect(systemWrites([change('/usr', 0), change('/usr/lib', 0), change('/usr/lib/x86_64-linux-gnu/12/Scrt1.o')])).toEqual(['/usr/lib/x86_64-linux-gnu/12/Scrt1.o']);
    expect(systemWrites([change('/usr/local/bin/g++'), change('/etc/ld.so.preload')])).toEqual(['/usr/local/bin/g++', '/etc/ld.so.preload']);
    expect(systemWrites([change('/usr/lib/x86_64-linux-gnu/gconv/gconv-modules', 2)])).toEqual(['/usr/lib/x86_64-linux-gnu/gconv/gconv-modules']);
    // A folder whose own mode or time changed, with nothing listed inside it.
    expect(systemWrites([change('/usr/local/bin', 0)])).toEqual(['/usr/local/bin']);
  });

  it('leaves the learner\'s own places alone: their folders, /usr/src, /tmp, the user database', () => {
    expect(systemWrites([change('/src'), change('/src/hello'), change('/app/hello'), change('/tmp/x'), change('/root/.cache'),
      change('/usr', 0), change('/usr/src', 0), change('/usr/src/app/hello'), change('/usr/local/src/x'),
      change('/etc', 0), change('/etc/passwd', 0), change('/etc/group-'), change('/etc/shadow')])).toEqual([]);
  });

  it('keeps a few paths, not every one', () => {
    expect(systemWrites(Array.from({ length: 50 }, (_, i) => change(`/usr/bin/x${i}`)))).toHaveLength(WRITES_KEPT);
  });
});

describe('copyTarget and copyWrites', () => {
  const cmd = (text: string) => ['/bin/sh', '-c', text];
  const hash = 'a'.repeat(64);

  it('reads where the engine says a copy wrote, from the step\'s working folder', () => {
    expect(copyTarget(cmd(`#(nop) COPY file:${hash} in . `), '')).toEqual({ root: '/', spreads: false });
    expect(copyTarget(cmd(`#(nop) COPY dir:${hash} in ./dd/ `), '/src')).toEqual({ root: '/src/dd', spreads: true });
    expect(copyTarget(cmd(`#(nop) COPY --chown=1:1file:${hash} in /my in dir/ `), '/')).toEqual({ root: '/my in dir', spreads: false });
    expect(copyTarget(cmd(`#(nop) ADD file:${hash} in /y `), '')).toEqual({ root: '/y', spreads: true });
    expect(copyTarget(cmd('echo hi'), '/')).toBeUndefined();
    expect(copyTarget(['/bin/sh', '-c', '#(nop) ', 'ENV X=1'], '/')).toBeUndefined();
  });

  it('counts a copy into the system\'s folders, and leaves a folder spread over / to its layer', () => {
    expect(copyWrites({ root: '/usr/local/bin/gcc', spreads: false })).toEqual(['/usr/local/bin/gcc']);
    expect(copyWrites({ root: '/etc/ld.so.conf.d', spreads: true })).toEqual(['/etc/ld.so.conf.d']);
    // A folder spread over /: its layer tells (COPY . . with no WORKDIR writes /hello.c, not /usr).
    expect(copyWrites({ root: '/', spreads: true })).toBeUndefined();
    // COPY hello.c . with no WORKDIR: one file, at /hello.c.
    expect(copyWrites({ root: '/', spreads: false })).toEqual([]);
    expect(copyWrites({ root: '/src', spreads: true })).toEqual([]);
    expect(copyWrites({ root: '/usr/src/app', spreads: true })).toEqual([]);
  });
});
