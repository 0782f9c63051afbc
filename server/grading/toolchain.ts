// The lab's compiler as its toolchain image holds it: what a compiling RUN runs (the driver a shell
// finds on PATH, the programs gcc starts, the files it links in, the libraries they load). A step
// earlier in the build that changed any of them (a script at /usr/local/bin/gcc, a collect2 of its
// own, a crt1.o that prints the text), a variable that steers them (LD_PRELOAD, COMPILER_PATH) or
// a flag that points gcc at other programs (-B, -wrapper) makes a compile not the lab compiler's.
// What the compile was given to read (sources, objects) is the learner's; what it runs is ours.
import { posix } from 'node:path';
import { commands } from './provenance.ts';

const ARCH = 'x86_64-linux-gnu';
const GCC = `/usr/lib/gcc/${ARCH}/12`;
const LIB = `/usr/lib/${ARCH}`;

// Where the shell finds a program, in PATH's order (/bin and /sbin are links into /usr).
const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin'];
// Where gcc looks for its own programs before PATH (gcc -print-search-dirs), and where it might.
const PROGRAM_DIRS = [GCC, `/usr/lib/gcc/${ARCH}`, `/usr/${ARCH}/bin/${ARCH}/12`, `/usr/${ARCH}/bin/${ARCH}`, `/usr/${ARCH}/bin`, `/usr/libexec/gcc/${ARCH}/12`, `/usr/libexec/gcc/${ARCH}`];
// Where the linker looks for start-up files and the C library, in its order.
const LIBRARY_DIRS = [GCC, `${LIB}/12`, `/usr/${ARCH}/lib`, `/usr/${ARCH}/lib64`, `/usr/${ARCH}/lib/${ARCH}/12`, LIB, '/usr/lib'];

const DRIVERS = ['gcc', 'cc', 'c89', 'c99', 'c89-gcc', 'c99-gcc', 'gcc-12', `${ARCH}-gcc`, `${ARCH}-gcc-12`, 'g++', 'c++', 'g++-12', `${ARCH}-g++`, `${ARCH}-g++-12`, 'make', 'cmake', 'ninja', 'clang', 'sh', 'dash', 'bash'];
const HELPERS = ['cc1', 'cc1plus', 'collect2', 'lto-wrapper', 'lto1', 'as', 'ld', 'ld.bfd', 'ld.gold', 'ld.lld', 'ld.mold', 'real-ld', 'collect-ld', `${ARCH}-as`, `${ARCH}-ld`, `${ARCH}-ld.bfd`, `${ARCH}-ld.gold`, 'specs', 'liblto_plugin.so'];
const LINKED = ['crt1.o', 'Scrt1.o', 'crti.o', 'crtn.o', 'crtbegin.o', 'crtbeginS.o', 'crtend.o', 'crtendS.o', 'libc.so', 'libc.a', 'libc_nonshared.a', 'libgcc.a', 'libgcc_s.so', 'libgcc_eh.a'];
// What the compiler's own programs load when they run, and what tells the loader where to look.
const LOADED = [
  ...['libc.so.6', 'libm.so.6', 'ld-linux-x86-64.so.2', 'libisl.so.23', 'libmpc.so.3', 'libmpfr.so.6', 'libgmp.so.10', 'libzstd.so.1', 'libz.so.1', 'libbfd-2.40-system.so', 'libctf.so.0', 'libsframe.so.0', 'libjansson.so.4'].map((name) => `${LIB}/${name}`),
  // The links that make /bin, /sbin and /lib the /usr folders: a folder there instead holds a shell of its own.
  '/bin', '/sbin', '/lib', '/lib64', '/usr/lib64', '/usr/lib64/ld-linux-x86-64.so.2', '/etc/ld.so.preload', '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/alternatives/cc', '/etc/alternatives/c89', '/etc/alternatives/c99',
];

/** Every path whose content the compiler's run depends on, in the lab's toolchain image: each must be as the lab has it (there or not). */
export const TOOLCHAIN_PATHS: readonly string[] = [...new Set([
  ...PATH_DIRS.flatMap((dir) => [...DRIVERS, ...HELPERS].map((name) => `${dir}/${name}`)),
  ...PROGRAM_DIRS.flatMap((dir) => HELPERS.map((name) => `${dir}/${name}`)),
  ...LIBRARY_DIRS.flatMap((dir) => LINKED.map((name) => `${dir}/${name}`)),
  ...LOADED,
])];

// Variables that make the shell, gcc or the loader run or load other files.
const STEERING_NAMES = 'LD_PRELOAD|LD_LIBRARY_PATH|LD_AUDIT|GCC_EXEC_PREFIX|COMPILER_PATH|LIBRARY_PATH|BASH_ENV|BASH_FUNC_\\w*';
// In the image's variables, ENV too (sh reads the file it names) and a function of any name (BASH_FUNC_gcc%%); in the Dockerfile, a word of its own.
const STEERING = new RegExp(`^(?:${STEERING_NAMES}|ENV|BASH_FUNC_.*)$`);
const STEERING_WORD = new RegExp(`(?:^|[^A-Za-z0-9_])(${STEERING_NAMES})(?:[^A-Za-z0-9_]|$)`);
// gcc's options that run or read other programs: a prefix for its helpers, a wrapper, specs, plugins.
const STEERING_FLAG = /^(?:-B|-wrapper|--?specs|-fplugin|--sysroot|-Wl,-?-plugin|-fuse-ld=(?!bfd$|gold$))/;

/**
 * Why a compile's own words or the build's steer the compiler to other programs, or undefined when
 * they do not. Options are read in every command of the compiling RUN and every word of the
 * Dockerfile (CFLAGS="-B/tools/" reaches gcc through make), but for cmake's own (its -B is a folder).
 */
export function steersCompiler(runText: string, dockerfile: string): string | undefined {
  const words = [runText, ...dockerfile.split('\n')].flatMap((line) => commands(line))
    .filter(([program]) => program === undefined || posix.basename(program) !== 'cmake')
    .flat().flatMap((word) => [word, word.slice(word.indexOf('=') + 1)]);
  const flag = words.find((word) => STEERING_FLAG.test(word));
  if (flag) return `its option ${flag.slice(0, 40)} points gcc at programs or files other than the lab's`;
  const named = STEERING_WORD.exec(dockerfile)?.[1];
  if (named) return `the Dockerfile sets ${named}, which makes the compiler or the loader run files other than the lab's`;
  if (/(?:^|[^A-Za-z0-9_])PATH=/.test(runText)) return 'it sets PATH, so the compiler it runs may not be the lab\'s';
  return undefined;
}

/** Why an image's variables steer the compiler (PATH not the lab's, LD_PRELOAD…), or undefined. */
export function steeringVariables(env: readonly string[], labEnv: readonly string[]): string | undefined {
  const value = (list: readonly string[], name: string) => list.find((pair) => pair.startsWith(`${name}=`));
  if (value(env, 'PATH') !== value(labEnv, 'PATH')) return 'its PATH is not the lab\'s, so the compiler it runs may not be the lab\'s';
  const named = env.map((pair) => pair.split('=')[0]!).find((name) => STEERING.test(name));
  return named ? `it sets ${named}, which makes the compiler or the loader run files other than the lab's` : undefined;
}
