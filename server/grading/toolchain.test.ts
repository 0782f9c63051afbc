// What points the compiler at other files than the lab's: options of a compile, variables of the build.
import { describe, expect, it } from 'vitest';
import { steeringVariables, steersCompiler, TOOLCHAIN_PATHS } from './toolchain.ts';

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
  ])('refuses %s', (run, why) => {
    expect(steersCompiler(run, DOCKERFILE)).toMatch(why);
  });

  it.each(['LD_PRELOAD', 'COMPILER_PATH', 'GCC_EXEC_PREFIX', 'LIBRARY_PATH', 'LD_LIBRARY_PATH', 'BASH_ENV'])('refuses a Dockerfile that sets %s anywhere', (name) => {
    expect(steersCompiler('gcc hello.c -o hello', `FROM stagecraft/toolchain\nARG ${name}=/src/x\nRUN gcc hello.c -o hello\n`)).toMatch(name);
  });

  it.each([
    'gcc hello.c -o hello', 'gcc -O2 -Wall -static hello.c -o /app/hello', 'gcc -fuse-ld=gold hello.c', 'gcc -Wl,-Bstatic hello.c -Wl,-Bdynamic',
    'make CFLAGS=-O2', 'cmake -S . -B build && cmake --build build', 'mkdir -p build && cd build && cmake .. && make',
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
    expect(steeringVariables([...LAB_ENV, 'CFLAGS=-O2'], LAB_ENV)).toBeUndefined();
  });

  it.each([
    [['PATH=/src:/usr/bin'], /PATH is not the lab's/],
    [[...LAB_ENV, 'LD_PRELOAD=/src/x.so'], /LD_PRELOAD/],
    [[...LAB_ENV, 'COMPILER_PATH=/tools'], /COMPILER_PATH/],
    [[...LAB_ENV, 'BASH_FUNC_gcc%%=() { cp /x hello; }'], /BASH_FUNC_gcc/],
  ])('refuses %j', (env, why) => {
    expect(steeringVariables(env, LAB_ENV)).toMatch(why);
  });
});

describe('TOOLCHAIN_PATHS', () => {
  it('covers the driver ahead of the real one on PATH, gcc\'s helpers, start-up files and the loader\'s list', () => {
    for (const path of ['/usr/local/bin/gcc', '/usr/local/sbin/cc', '/usr/bin/x86_64-linux-gnu-gcc-12', '/usr/lib/gcc/x86_64-linux-gnu/12/collect2',
      '/usr/lib/gcc/x86_64-linux-gnu/12/cc1', '/usr/x86_64-linux-gnu/bin/as', '/usr/lib/x86_64-linux-gnu/crt1.o', '/usr/lib/gcc/x86_64-linux-gnu/12/libc.so',
      '/etc/ld.so.preload', '/usr/bin/sh']) expect(TOOLCHAIN_PATHS).toContain(path);
  });
});
