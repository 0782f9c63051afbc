// The lab's compiler as the toolchain image holds it. A compile counts only when what it ran was
// that: no step before it since the base image (nor the compiling step, but for its program) wrote
// in the system's folders, where the shell, gcc's programs, start-up files and libraries are, under
// any name (a script at /usr/local/bin/gcc, a crt1.o of its own, a new /bin); no variable steers
// them (LD_PRELOAD, COMPILER_PATH); no option points gcc at other programs (-B, -wrapper). What
// each step wrote is the gateway's record (read from the engine); what counts as a write is here.
// What the compile was given to read (sources, objects) is the learner's; what it runs is ours.
import { posix } from 'node:path';
import { commands } from './provenance.ts';

/** A change the engine lists for a build step's container (GET /containers/{id}/changes): Kind 0 changed, 1 added, 2 deleted. */
export interface Change { Path: string; Kind: number }

// The system's folders: the shell a RUN starts, the compiler's driver, its programs, the start-up
// files and libraries it links in, what they load and what tells the loader where to look. Every
// one of those files is there, whatever its name or the way a step reaches it.
const SYSTEM = /^\/(?:bin|sbin|lib|lib32|lib64|libx32|usr|etc)(?:\/|$)/;

// Within them, what is the learner's to write: sources under /usr/src, and the user database (useradd).
const LEARNERS = /^\/usr\/(?:local\/)?src(?:\/|$)|^\/etc\/(?:(?:passwd|group|shadow|gshadow|subuid|subgid)-?|\.pwd\.lock)$/;

/** Whether a path is in the system's folders (not a learner's own place under them). */
export const inSystem = (path: string): boolean => SYSTEM.test(path) && !LEARNERS.test(path);

/**
 * The version of what counts as a write here: a record made under another (an earlier server) is
 * not read, and the step is read again from its layer. Raise it whenever inSystem or the gateway's
 * reading of a step changes.
 */
export const WRITES_POLICY = 2;

/** Most paths recorded for one step: one is enough to refuse its compile; a few tell the instructor more. */
export const WRITES_KEPT = 8;

/**
 * What a step's container wrote in the system's folders, from the engine's list of its changes: a
 * folder listed as changed only because something inside it was is not a write of its own.
 */
export function systemWrites(changes: readonly Change[]): string[] {
  const parents = new Set(changes.flatMap((change) => {
    const up: string[] = [];
    for (let at = posix.dirname(change.Path); at !== '/'; at = posix.dirname(at)) up.push(at);
    return up;
  }));
  return changes.filter((change) => !(change.Kind === 0 && parents.has(change.Path)) && inSystem(change.Path)).map((change) => change.Path).slice(0, WRITES_KEPT);
}

/**
 * Where a COPY or ADD step wrote, from the engine's record of it (the image's `ContainerConfig.Cmd`,
 * `#(nop) COPY dir:<hash> in <dest> `, and its working folder): `spreads` when what it copied is a
 * folder or several files, or ADD (which unpacks archives), so its files land below `root` under
 * names of their own. Undefined when the record is not one of a copy.
 */
export function copyTarget(cmd: readonly string[], workdir: string): { root: string; spreads: boolean } | undefined {
  const match = /^#\(nop\) (COPY|ADD) (\S*?)(file|dir|multi):[0-9a-f]{64} in (.+) $/s.exec(cmd.at(-1) ?? '');
  if (!match) return undefined;
  return { root: posix.resolve(workdir || '/', match[4]!), spreads: match[1] === 'ADD' || match[3] !== 'file' };
}

/**
 * What a copy to `target` writes in the system's folders on its face (links on the way are the
 * gateway's to look for), or undefined when its record cannot tell: a folder spread over / writes
 * its own bin/, usr/ or etc/ there if it has them (its image's layer says which).
 */
export function copyWrites(target: { root: string; spreads: boolean }): string[] | undefined {
  if (inSystem(target.root)) return [target.root];
  return target.root === '/' && target.spreads ? undefined : [];
}

// Variables that make the shell, gcc, cmake or the C library run, load or write other files: the
// loader's (LD_*), gcc's and its helpers', the C library's modules and tunables, and bash's that
// run code (xtrace's PS4 expands $(…) before every command under SHELLOPTS=xtrace; Debian's bash
// reads ~/.bashrc under SSH_CLIENT), and make's (MAKEFLAGS=SHELL=/src/sh runs every recipe there).
const STEERING_NAMES = [
  'LD_\\w+', 'GCC_EXEC_PREFIX', 'GCC_COMPARE_DEBUG', 'COLLECT_\\w+', 'COMPILER_PATH', 'LIBRARY_PATH', 'CPATH', 'C_INCLUDE_PATH', 'CPLUS_INCLUDE_PATH',
  'DEPENDENCIES_OUTPUT', 'SUNPRO_DEPENDENCIES', 'TMPDIR', 'TMP', 'TEMP', 'GCONV_PATH', 'LOCPATH', 'NLSPATH', 'GLIBC_TUNABLES', 'MALLOC_\\w+', 'HOSTALIASES',
  'BASH_ENV', 'BASH_FUNC_\\w*', 'BASHOPTS', 'SHELLOPTS', 'PS4', 'BASH_XTRACEFD', 'SSH_CLIENT', 'SSH2_CLIENT', 'MAKEFILES', 'MAKEFLAGS', 'GNUMAKEFLAGS', 'MFLAGS', 'CMAKE_\\w*(?:LAUNCHER|TOOLCHAIN_FILE|INCLUDE)\\w*', 'CCACHE_\\w+',
].join('|');
// In the image's variables, ENV too (sh reads the file it names) and a function of any name (BASH_FUNC_gcc%%); in the Dockerfile, a word of its own.
const STEERING = new RegExp(`^(?:${STEERING_NAMES}|ENV|BASH_FUNC_.*)$`);
const STEERING_WORD = new RegExp(`(?:^|[^A-Za-z0-9_])(${STEERING_NAMES})(?:[^A-Za-z0-9_]|$)`);
// Variables that name the compiler or a tool make and cmake run: by its bare name or from a system folder only.
// make's built-in rules run the others (RM, LEX, YACC…) too: each may name only its own tool.
const COMPILERS = new Set(['CC', 'CXX', 'CPP']);
const TOOL_VARIABLES = new Set([...COMPILERS, 'LD', 'AS', 'AR', 'NM', 'RANLIB', 'STRIP', 'OBJCOPY', 'SHELL', 'RM', 'LEX', 'YACC', 'FC', 'F77', 'PC', 'M2C', 'CO', 'GET',
  'MAKEINFO', 'TEX', 'TEXI2DVI', 'WEAVE', 'CWEAVE', 'TANGLE', 'CTANGLE', 'LINT', 'INSTALL']);
const OTHER_NAMES: Record<string, string> = { LD: 'ld(?:\\.\\w+)?', SHELL: 'sh|bash|dash', LEX: 'lex|flex', YACC: 'yacc|bison|byacc', FC: 'gfortran|f77|f95', F77: 'gfortran|f77|f95' };
const SYSTEM_PROGRAM = /^\/(?:usr\/)?(?:local\/)?s?bin\/[^/]+$/;
// Shell code in a variable's value: make (and the Makefiles cmake writes) pastes every variable of
// the environment into the commands it gives sh (CFLAGS="-O2; base64 -d p > hello"), and runs its
// own functions in it as it does (\${shell gunzip hello.gz}).
const SHELL_CODE = /[;&|`<>\n]|\$\(|\$\{\s*\w+\s/;
/** Why a tool variable's value (CC=/src/mycc) names a program other than the lab's, or undefined. */
function foreignTool(name: string, value: string): string | undefined {
  // A name with a dot is one of make's own command variables (COMPILE.c, LINK.o): no lab build sets one.
  if (name.includes('.')) return `its variable ${name} is one of the commands make's built-in rules run`;
  if (!TOOL_VARIABLES.has(name)) return undefined;
  const [program = '', ...rest] = value.trim().split(/\s+/);
  // The tool itself, by its name (not a shell or an interpreter given a script: CC="sh t.sh"), then options only.
  const names = COMPILERS.has(name) ? 'gcc|g\\+\\+|cc|c\\+\\+|cpp|c89|c99|clang(?:\\+\\+)?' : OTHER_NAMES[name] ?? name.toLowerCase();
  const tool = new RegExp(`^(?:[\\w.+]+-)*(?:${names})(?:-[\\d.]+)?$`);
  // Another variable ($CC) is judged where it is set.
  const named = /^\$\{?\w+\}?$/.test(program) || ((!program.includes('/') || SYSTEM_PROGRAM.test(program)) && tool.test(program.slice(program.lastIndexOf('/') + 1)));
  if (named && rest.every((word) => word.startsWith('-'))) return undefined;
  return `its variable ${name} runs ${value.trim().slice(0, 60)}, not the lab's ${name === 'SHELL' ? 'shell' : 'tool'} by its name`;
}
// gcc's options that run or read other programs: a prefix for its helpers, a wrapper, specs,
// plugins; and a response file (@opts), which may hold any of them.
const STEERING_FLAG = /^(?:-B|-wrapper|--?specs|-fplugin|--sysroot|--?plugin(?:=|$)|-fuse-ld=(?!bfd$|gold$)|@\S)/;
// What steers the linker or the assembler in an option passed on to them (-Wl,-plugin,p.so; -Xlinker @opts): their own -B… is theirs.
const PASSED_ON = /^(?:--?plugin(?:=|$)|@\S)/;
/** Whether an option steers the compiler: itself, or any it passes on (each of -Wl,a,b's). */
const steeringOption = (word: string): boolean => STEERING_FLAG.test(word) || (/^-W[lap],/.test(word) && word.split(',').slice(1).some((piece) => PASSED_ON.test(piece)));
/** The option among `words` that steers the compiler; a word after -Xlinker (-Xassembler…) is the linker's. */
const steeringWord = (words: readonly string[]): string | undefined => words.find((word, at) => (/^-X(?:linker|assembler|preprocessor)$/.test(words[at - 1] ?? '') ? PASSED_ON.test(word) : steeringOption(word)));

// A build tool's own options that read like gcc's: cmake's -B is its build folder, make's -B remakes everything.
const OWN_OPTION: Record<string, RegExp> = { cmake: /^-B/, make: /^(?:-B|--always-make)$/, gmake: /^(?:-B|--always-make)$/ };

/**
 * Why a compile's own words or its stages' steer the compiler to other programs, or undefined when
 * they do not. Options are read in every command of the compiling RUN and every word of
 * `dockerfile` (the lines of the stages the compile's stage starts from: CFLAGS="-B/tools/"
 * reaches gcc through make), but for a build tool's own (cmake -B build, make -B).
 */
export function steersCompiler(runText: string, dockerfile: string): string | undefined {
  // LABEL and MAINTAINER reach no program (maintainer=@someone is no response file).
  const lines = dockerfile.split('\n').filter((line) => !/^\s*(?:LABEL|MAINTAINER)\s/i.test(line));
  const parsed = [runText, ...lines].flatMap((line) => commands(line));
  const words = parsed.flatMap((command) => {
    // The tool is the first word past a Dockerfile keyword and variable settings (RUN CFLAGS=-O2 make -B).
    const tool = command.find((word, at) => !(at === 0 && /^(?:RUN|CMD|ENTRYPOINT|ONBUILD)$/i.test(word)) && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
    const own = tool === undefined ? undefined : OWN_OPTION[posix.basename(tool)];
    return command.filter((word) => !own?.test(word));
  }).flatMap((word) => (word.includes('=') ? [word, word.slice(word.indexOf('=') + 1)] : [word]));
  // A login or interactive shell reads start-up files of the learner's (~/.profile, ~/.bashrc; useradd
  // copies them from /etc/skel, so they are no write of the system's): bash -c alone reads none.
  const login = parsed.find(([program, ...args]) => program !== undefined
    && /^(?:[\w./-]*\/)?(?:ba|da)?sh$/.test(program) && args.some((arg) => /^-[a-zA-Z]*[il]|^--(?:login|rcfile|init-file)$/.test(arg)));
  if (login) return `it runs ${login.slice(0, 2).join(' ')}, a shell that reads start-up files of the learner's`;
  const flag = steeringWord(words);
  if (flag) return `its option ${flag.slice(0, 40)} points gcc at programs or files other than the lab's`;
  // cmake's compiler settings name the compiler as CC does (-DCMAKE_C_COMPILER=/opt/t.sh).
  for (const word of words) {
    const compiler = /^-DCMAKE_(?:C|CXX)_COMPILER(?::\w+)?=(.*)$/.exec(word);
    const foreign = compiler && foreignTool('CC', compiler[1]!);
    if (foreign) return foreign;
  }
  // Tool variables set in the RUN or the stages' lines, quotes and all (CC="sh /opt/t.sh").
  for (const [, name, quoted] of [runText, ...lines].join('\n').matchAll(/(?:^|[\s;&|])([A-Za-z_][\w.]*)=("[^"]*"|'[^']*'|[^\s;&|]+)/g)) {
    const foreign = foreignTool(name!, quoted!.replace(/^(["'])(.*)\1$/s, '$2'));
    if (foreign) return foreign;
  }
  const code = dockerfile.split('\n').find((line) => /^\s*(?:ENV|ARG)\s/i.test(line) && SHELL_CODE.test(line));
  if (code) return `the Dockerfile's ${code.trim().split(/\s+/)[0]!.toUpperCase()} holds shell code, which make pastes into the commands it runs`;
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
  if (named) return `it sets ${named}, which makes the compiler or the loader run files other than the lab's`;
  for (const pair of env) {
    const name = pair.slice(0, pair.indexOf('='));
    if (SHELL_CODE.test(pair.slice(name.length + 1))) return `its variable ${name} holds shell code, which make pastes into the commands it runs`;
    const words = pair.slice(name.length + 1).split(/\s+/).filter(Boolean);
    // CFLAGS=-B/tools/ from an image of the learner's own reaches gcc through make as a Dockerfile word would.
    const flag = steeringWord(words);
    if (flag) return `its variable ${name} holds ${flag.slice(0, 40)}, which points gcc at programs or files other than the lab's`;
    const tool = foreignTool(name, words.join(' '));
    if (tool) return tool;
  }
  return undefined;
}
