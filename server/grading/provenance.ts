// What a recorded build tells about an image: its stages, what each copied from where, whether a
// compiler ran, and so where the program the image starts came from. Read from the canonical
// Dockerfile the engine built (the gateway's record), with the engine's own parser: never from a
// file at a fixed path, never from text the learner could change after the build.
import { posix } from 'node:path';
import { instructions as dockerfileInstructions, parse, processWord, type Node } from '../dockerfile/index.ts';
import { programDigest, type FolderFacts, type ImageConfig, type Provenance } from './port.ts';
import { elfFacts } from './elf.ts';

/** A step of a stage that may have put a file in place. */
export type Step =
  | { kind: 'copy'; untraceable?: false; from: { stage: number } | { image: true } | 'context'; sources: string[]; dest: string }
  /** A copy whose paths read a variable we cannot know: it may have written any file. */
  | { kind: 'copy'; untraceable: true }
  /**
   * A RUN may write any file; `compiles` when it names a compiler or build tool as a command, or a
   * folder script that does; `reshapes` when it runs a tool that strips or moves a program;
   * `fileToolsOnly` when every command in it is such a tool or a file chore (mkdir, chmod, ln, rm).
   */
  | { kind: 'run'; compiles: boolean; reshapes: boolean; fileToolsOnly: boolean; text: string; workdir?: string };

/** An instruction of a stage, as the engine committed it (one history entry each): a step that may write files, or one that writes none. */
export type Instruction = Step | { kind: 'other' };

export interface StageFacts {
  index: number;
  name?: string;
  /** The base as the learner named it. */
  base: string;
  /** The base as the engine read it (the canonical FROM): a lab image's name, or the id of the learner's own image. */
  baseRef: string;
  /** The earlier stage it starts from, if it does. */
  baseStage?: number;
  steps: Step[];
  /** Every instruction after FROM, in order: the image's history has one entry for each. */
  instructions: Instruction[];
  /** CMD and ENTRYPOINT written in this stage, with their form. */
  cmd?: { exec: boolean };
  entrypoint?: { exec: boolean };
}

// A compiler or build tool, by bare name or in a system folder, with a target prefix or a version
// suffix (x86_64-linux-gnu-gcc, gcc-12, /usr/bin/cc, c99). A path into the build's own files
// (./cc, /src/gcc) is a script of the learner's, which may write anything.
const COMPILER_NAME = /^(?:[\w.+]+-)*(?:gcc|g\+\+|cc|c\+\+|c99|c89|clang(?:\+\+)?|make|cmake|ninja)(?:-[\d.]+)?$/;
const COMPILER = new RegExp(`^(?:/(?:usr/(?:local/)?)?bin/)?${COMPILER_NAME.source.slice(1)}`);
// Words that run the command after them (`exec gcc`, `then make`); an option after one (`command -v
// gcc`) means it does not.
const RUNS_NEXT = new Set(['exec', 'command', 'nohup', 'time', 'nice', 'env', 'xargs', 'then', 'do', 'else', 'if', 'while', 'until', '!', '{']);
// The same, from a system folder (/usr/bin/env gcc, /usr/bin/nice gcc).
const SYSTEM_RUNS_NEXT = /^\/(?:usr\/)?bin\/(?:env|nice|nohup|time|xargs)$/;
const SHELLS_C = /^(?:[\w./-]*\/)?(?:sh|bash|dash|ash)$/;
// Tools that strip or move a compiled program (strip hello, objcopy --strip-debug, install hello /usr/local/bin/), and file
// chores beside them: none of them writes bytes of its own choosing.
// By bare name or in a system folder only: a path into the build's own files (/src/x-cp, ./strip)
// is a script of the learner's, which may write anything.
const RESHAPER = /^(?:\/(?:usr\/(?:local\/)?)?bin\/)?(?:x86_64-linux-gnu-)?(?:strip|objcopy|install|cp|mv)$/;
const FILE_CHORE = /^(?:\/(?:usr\/(?:local\/)?)?bin\/)?(?:mkdir|chmod|chown|ln|rm|ls|true)$/;

/** The Dockerfile's instructions that reach the steps of `stages` (by index): theirs, and the ARGs before the first FROM. */
export function linesOfStages(dockerfile: string, stages: readonly number[]): string {
  let stage = -1;
  return dockerfileInstructions(dockerfile).filter((instruction) => {
    if (instruction.keyword === 'FROM') stage++;
    return stage === -1 || stages.includes(stage);
  }).map((instruction) => instruction.text).join('\n');
}

/**
 * Whether a shell command line runs a compiler or build tool as a command: at the start of a command
 * (after ;, &&, ||, |, a parenthesis, a quote, a newline), past variable settings (LC_ALL=C) and
 * words that run what follows (exec, then), or as `sh -c`'s command. A compiler's name as an
 * argument (echo gcc, command -v gcc) is not a compile. Only the size check and where a RUN may be
 * credited read it; a forged compile in the same step stays the documented limit.
 */
export function namesCompiler(text: string): boolean {
  return runsCommand(text, COMPILER);
}

/** Whether a shell command line runs a tool that strips or moves a program (strip, install, cp, mv) as a command. */
export function namesReshaper(text: string): boolean {
  return runsCommand(text, RESHAPER);
}

/** Whether every command of a shell command line only strips, moves or tends files (no quotes, no substitutions: those are not read). */
export function fileToolsOnly(text: string): boolean {
  return commandWords(text).every((first) => first === undefined || RESHAPER.test(first) || FILE_CHORE.test(first));
}

function runsCommand(text: string, program: RegExp): boolean {
  return commandWords(text).some((first) => first !== undefined && program.test(first));
}

/** The program word of each command of a shell command line (undefined for an empty one). */
function commandWords(text: string): (string | undefined)[] {
  return commands(text).map((words) => words[0]);
}

/** Each command of a shell command line, from its program word on (empty for an empty one). */
export function commands(text: string): string[][] {
  const found: string[][] = [];
  // A comment (# at the start of a word, to the end of its line) runs nothing.
  text = text.replace(/(^|\s)#[^\n]*/g, '$1');
  for (const command of text.split(/;|&&|\|\||\||\(|\)|\n|`|\$\(|"|'/)) {
    const words = command.trim().split(/\s+/).filter(Boolean);
    let at = 0;
    for (;;) {
      while (at < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[at]!) || RUNS_NEXT.has(words[at]!) || SYSTEM_RUNS_NEXT.test(words[at]!))) at++;
      if (at + 1 < words.length && SHELLS_C.test(words[at]!) && words[at + 1] === '-c') { at += 2; continue; }
      break;
    }
    found.push(words.slice(at));
  }
  return found;
}

/** The folder files a command line runs as scripts: as its program (./build.sh) or a shell's script (sh build.sh, . build.sh). */
function scriptsRun(text: string, scripts: string[]): boolean {
  const names = new Set(scripts.map((script) => posix.basename(script)));
  return commands(text).some(([program, ...args]) => program !== undefined && (names.has(posix.basename(program))
    || ((SHELLS_C.test(program) || program === '.' || program === 'source') && names.has(posix.basename(args.find((a) => !a.startsWith('-')) ?? '')))));
}

/** Longest file of the folder read for a compiler's name: any build script is far smaller. */
const SCRIPT_BYTES = 64 * 1024;

/** What grading needs to know of the files of a build folder, from the gateway that was sent them. */
export function folderFacts(files: { name: string; data: Buffer }[]): FolderFacts {
  const facts: FolderFacts = { files: {}, scripts: [], buildIds: {}, objects: [] };
  for (const { name, data } of files) {
    facts.files[programDigest(data)] ??= name;
    const elf = elfFacts(data);
    if (elf?.kind === 'object' || data.subarray(0, 8).toString('latin1') === '!<arch>\n') facts.objects!.push(name);
    const buildId = elf?.buildId;
    if (buildId) facts.buildIds![buildId] ??= name;
    if (data.length <= SCRIPT_BYTES && !data.includes(0) && namesCompiler(data.toString('latin1'))) facts.scripts.push(name);
  }
  return facts;
}

/**
 * A RUN compiles when it runs a compiler, or a script of the folder that does (sh build.sh). Not
 * when the folder has a file named like a compiler: put on PATH or over the system's, it would
 * stand in for it.
 */
function runCompiles(text: string, folder: FolderFacts): boolean {
  if (Object.values(folder.files).some((name) => COMPILER_NAME.test(posix.basename(name)))) return false;
  return namesCompiler(text) || scriptsRun(text, folder.scripts);
}

/**
 * The variables of a stage as the engine's classic builder sees them: ENV (the base image's, an
 * earlier stage's, this stage's) beats an ARG of the same name whatever their order; an ARG is this
 * stage's alone, and `ARG NAME` with no value takes the value of a global ARG (one before the first
 * FROM). `undefined` marks a value that cannot be known (a base image whose variables we were not
 * given): any word that reads it is untraceable.
 */
class StageVariables {
  readonly env: Map<string, string | undefined>;
  private readonly args = new Map<string, string | undefined>();
  private readonly globals: Map<string, string | undefined>;
  private readonly envKnown: boolean;

  constructor(env: Map<string, string | undefined>, globals: Map<string, string | undefined>, envKnown: boolean) {
    this.env = new Map(env);
    this.globals = globals;
    this.envKnown = envKnown;
  }

  lookup = (name: string): string | undefined => {
    if (this.env.has(name)) return this.env.get(name);
    if (this.args.has(name)) return this.args.get(name);
    return this.envKnown ? '' : undefined; // unset: the engine expands it to nothing
  };

  declare(name: string, value: string | undefined, hasDefault: boolean): void {
    if (hasDefault) this.args.set(name, value);
    else this.args.set(name, this.globals.has(name) ? this.globals.get(name) : ''); // '': declared, unset
  }
}

/**
 * The facts of each stage of the build. `baseEnv` holds the variables (KEY=value) of each base
 * image the stages name; a stage whose base image is not in it has variables we cannot know.
 */
export function stageFacts(provenance: Provenance, baseEnv: ReadonlyMap<string, string[]> = new Map()): StageFacts[] {
  const parsed = parse(provenance.dockerfile);
  if (!parsed.ok) return [];
  const { escape } = parsed.value;
  const globals = new Map<string, string | undefined>();
  let vars = new StageVariables(new Map(), new Map(), true);
  // A word as the engine expands it, or undefined when it reads a value we cannot know.
  const word = (text: string): string | undefined => {
    const w = processWord(text, escape, vars.lookup);
    return w.ok ? w.value : undefined;
  };
  const envOf: Map<string, string | undefined>[] = [];
  const envKnownOf: boolean[] = [];
  const stages: StageFacts[] = [];
  // The working folder; undefined once a WORKDIR cannot be known.
  let workdir: string | undefined = '/';
  const workdirs: (string | undefined)[] = [];
  // Whether each stage's RUNs still go to sh -c (or bash -c), as their text is read.
  const shells: boolean[] = [];
  for (const node of parsed.value.nodes) {
    if (node.cmd === 'from') {
      const index = stages.length;
      const recorded = provenance.stages[index];
      const base = recorded?.base ?? node.values[0] ?? '';
      const baseStage = stages.findIndex((s) => s.name !== undefined && s.name === base.toLowerCase());
      stages.push({ index, name: recorded?.name, base, baseRef: node.values[0] ?? '', baseStage: baseStage === -1 ? undefined : baseStage, steps: [], instructions: [] });
      workdir = baseStage === -1 ? '/' : workdirs[baseStage];
      workdirs[index] = workdir;
      shells[index] = baseStage === -1 ? true : shells[baseStage]!;
      const imageEnv = base === 'scratch' ? [] : baseEnv.get(base);
      const env = baseStage !== -1 ? envOf[baseStage]! : new Map((imageEnv ?? []).map((pair) => [pair.split('=')[0]!, pair.slice(pair.indexOf('=') + 1)] as [string, string]));
      const known = baseStage !== -1 ? envKnownOf[baseStage]! : imageEnv !== undefined;
      vars = new StageVariables(env, globals, known);
      envOf[index] = vars.env;
      envKnownOf[index] = known;
      continue;
    }
    const stage = stages.at(-1);
    if (node.cmd === 'arg') {
      // The engine expands a whole line with the values from before it: read every value first.
      const declared: [string, string | undefined, boolean][] = [];
      for (const declaration of node.values) {
        const eq = declaration.indexOf('=');
        const name = eq === -1 ? declaration : declaration.slice(0, eq);
        // Before the first FROM: a global, for FROM lines and for stages that declare it again.
        if (!stage) {
          const value = eq === -1 ? '' : processWord(declaration.slice(eq + 1), escape, (n) => (globals.has(n) ? globals.get(n) : ''));
          globals.set(name, typeof value === 'string' ? value : value.ok ? value.value : undefined);
        } else {
          declared.push([name, eq === -1 ? undefined : word(declaration.slice(eq + 1)), eq !== -1]);
        }
      }
      for (const [name, value, hasDefault] of declared) vars.declare(name, value, hasDefault);
      stage?.instructions.push({ kind: 'other' });
      continue;
    }
    if (!stage) continue;
    if (node.cmd === 'env') {
      const pairs: [string, string | undefined][] = [];
      for (let i = 0; i + 1 < node.values.length; i += 2) pairs.push([node.values[i]!, word(node.values[i + 1]!)]);
      for (const [name, value] of pairs) vars.env.set(name, value);
    } else if (node.cmd === 'workdir' && node.values[0]) {
      const path = word(node.values[0]);
      workdir = path === undefined || workdir === undefined ? undefined : posix.resolve(workdir, path);
      workdirs[stage.index] = workdir;
    } else if (node.cmd === 'shell') {
      // RUN's text then goes to a program we do not read (SHELL ["/tmp/decode"]): none of its RUNs counts.
      // Shell options between them (bash -o pipefail -c, -eu) change no command it runs.
      const options = node.values.slice(1, -1);
      // By path or by bare name (found on PATH, which must be the lab's): SHELL ["bash", "-c"].
      shells[stage.index] = /^(?:\/(?:usr\/)?bin\/)?(?:ba)?sh$/.test(node.values[0] ?? '') && node.values.at(-1) === '-c' && node.values.length <= 6
        && options.every((option, i) => /^-[euxo]+$/.test(option) || (options[i - 1]?.endsWith('o') === true && /^(?:pipefail|errexit|nounset|xtrace)$/.test(option)));
    } else if (node.cmd === 'run' && !node.json && shells[stage.index] === false) {
      stage.steps.push({ kind: 'run', compiles: false, reshapes: false, fileToolsOnly: false, text: node.values.join(' '), workdir });
    } else if (node.cmd === 'run') {
      const text = node.values.join(' ');
      const expanded = processWord(text, escape, vars.lookup);
      const either = (test: (line: string) => boolean) => test(text) || (expanded.ok && test(expanded.value));
      stage.steps.push({
        kind: 'run', compiles: either((line) => runCompiles(line, provenance.folder)), reshapes: either(namesReshaper),
        fileToolsOnly: fileToolsOnly(text) && (!expanded.ok || fileToolsOnly(expanded.value)), text, workdir,
      });
    } else if (node.cmd === 'copy' || node.cmd === 'add') {
      stage.steps.push(copyStep(node, stages, workdir, word));
    } else if (node.cmd === 'cmd') {
      stage.cmd = { exec: node.json };
    } else if (node.cmd === 'entrypoint') {
      stage.entrypoint = { exec: node.json };
    }
    stage.instructions.push(node.cmd === 'run' || node.cmd === 'copy' || node.cmd === 'add' ? stage.steps.at(-1)! : { kind: 'other' });
  }
  // With --target the image is that stage's: the stages after it were not what the learner built.
  const target = provenance.target === undefined ? -1 : stages.findIndex((s) => s.name === provenance.target);
  return target === -1 ? stages : stages.slice(0, target + 1);
}

function copyStep(node: Node, stages: StageFacts[], workdir: string | undefined, word: (text: string) => string | undefined): Step {
  const fromFlag = node.flags.find((f) => f.toLowerCase().startsWith('--from='))?.slice('--from='.length);
  const values = node.values.map(word);
  const dest = values.at(-1);
  // A word we cannot expand, or a relative destination under a folder we cannot know: the copy may
  // have written anything, anywhere.
  if (values.some((v) => v === undefined) || dest === undefined || (!dest.startsWith('/') && workdir === undefined)) return { kind: 'copy', untraceable: true };
  // A destination ending in / (or naming the working folder) is a folder.
  const resolved = posix.resolve(workdir ?? '/', dest) + (dest.endsWith('/') || dest === '.' ? '/' : '');
  let from: Extract<Step, { kind: 'copy'; untraceable?: false }>['from'] = 'context';
  if (fromFlag !== undefined) {
    const byName = stages.findIndex((s) => s.name !== undefined && s.name === fromFlag.toLowerCase());
    const byNumber = /^\d+$/.test(fromFlag) && Number(fromFlag) < stages.length - 1 ? Number(fromFlag) : -1;
    from = byName !== -1 ? { stage: byName } : byNumber !== -1 ? { stage: byNumber } : { image: true };
  }
  // Sources of a --from copy are paths in that stage's filesystem, from its root.
  const sources = (values as string[]).slice(0, -1).map((s) => (from === 'context' ? s : posix.resolve('/', s)));
  return { kind: 'copy', from, sources, dest: resolved };
}

/** Where a file of the final stage came from (`path`: its path in the stage that made or holds it). */
export type Origin =
  /** Written, or maybe written, by a RUN of this stage: the build's own work (its bytes say whose). */
  | { kind: 'run'; stage: number; path: string }
  | { kind: 'context'; source: string }
  | { kind: 'image'; source: string }
  | { kind: 'base'; stage: number; base: string }
  | { kind: 'unknown' };

/**
 * Follows the steps back from the end of a stage to the one that put `path` there. A RUN may have
 * written any file, however it was written (a script, sh -c, make), so a file no copy put there is
 * this stage's work (its bytes must then show a compiler made it: checked apart, as its base). But a
 * RUN does not launder a file copied in from the folder or another image at that very path: with no
 * record of what each step wrote, the copy is taken as its source (`COPY hello.bin /app/hello` then
 * `RUN gcc --version` is the folder's file).
 */
export function originOf(stages: StageFacts[], stageIndex: number, path: string, depth = 0): Origin {
  const stage = stages[stageIndex];
  if (!stage || depth > stages.length + 4) return { kind: 'unknown' };
  let ran = false;
  for (let i = stage.steps.length - 1; i >= 0; i--) {
    const step = stage.steps[i]!;
    if (step.kind === 'run') {
      ran = true;
      continue;
    }
    if (step.untraceable) return { kind: 'unknown' };
    const found = sourceOf(step, path);
    if (found === undefined) continue;
    // A whole folder copied in (COPY . /app) may not have held this file: a later RUN made it.
    if (ran && !found.named) return { kind: 'run', stage: stageIndex, path };
    const { source } = found;
    if (step.from === 'context') return { kind: 'context', source };
    if ('image' in step.from) return { kind: 'image', source };
    const earlier = originOf(stages, step.from.stage, source, depth + 1);
    return ran && (earlier.kind === 'base' || earlier.kind === 'unknown') ? { kind: 'run', stage: stageIndex, path } : earlier;
  }
  const below: Origin = stage.baseStage !== undefined ? originOf(stages, stage.baseStage, path, depth + 1) : { kind: 'base', stage: stageIndex, base: stage.base };
  // A RUN of the stage below may have made it, or one of this stage's: a stage that compiles is the
  // likelier maker (FROM deps AS build, where deps only made a folder).
  const compilesHere = stage.steps.some((step) => step.kind === 'run' && step.compiles);
  return ran && (below.kind === 'base' || below.kind === 'unknown' || (below.kind === 'run' && compilesHere)) ? { kind: 'run', stage: stageIndex, path } : below;
}

/**
 * The source a copy took `path` from, or undefined when the copy did not write it; `named` when the
 * copy names that file (to that name, or into a folder under its own name), not a folder whose
 * contents may hold it. A source that names a file (a name with a dot, like app.conf or hello.c, or
 * a glob) lands in the folder under its own name; any other source may be a folder.
 */
export function sourceOf(step: Extract<Step, { kind: 'copy'; untraceable?: false }>, path: string): { source: string; named: boolean } | undefined {
  const dest = step.dest;
  const folder = dest.endsWith('/') ? dest : `${dest}/`;
  for (const source of step.sources) {
    if (step.sources.length === 1 && !dest.endsWith('/') && path === dest) return { source, named: true }; // copied to that name
    if (posix.dirname(path) === posix.resolve(folder) && globMatches(posix.basename(source), posix.basename(path))) {
      return { source: posix.join(posix.dirname(source), posix.basename(path)), named: true }; // into the folder, same name
    }
    // In the build folder a dotted name (hello.c, app.conf) is taken for a file; in a stage, any
    // name may be a folder (out.v1/), and the trace goes on into it.
    const dotted = step.from === 'context' && /\.[^/.]+$/.test(posix.basename(source)) && source !== '.' && !source.endsWith('/');
    const aFile = /[*?[]/.test(source) || dotted;
    if (!aFile && path.startsWith(folder)) return { source: posix.join(source, path.slice(folder.length)), named: false }; // a folder's contents
  }
  return undefined;
}

function globMatches(pattern: string, name: string): boolean {
  if (!/[*?[]/.test(pattern)) return pattern === name;
  const regex = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${regex}$`).test(name);
}

/** The root base image of a stage (following earlier stages), or scratch. */
export function rootBase(stages: StageFacts[], stageIndex: number): string {
  let stage = stages[stageIndex];
  for (let hops = 0; stage?.baseStage !== undefined && hops < stages.length; hops++) stage = stages[stage.baseStage];
  return stage?.base ?? 'scratch';
}

const SHELLS = new Set(['/bin/sh', 'sh', '/bin/bash', 'bash', '/bin/ash', 'ash']);
// Words that start a shell command without being its program: `exec ./hello` runs ./hello.
const PREFIXES = new Set(['exec', 'command', 'nohup']);

/** The program an image starts, as its configuration says: the command a shell form wraps, unwrapped. */
export function programOf(config: Pick<ImageConfig, 'entrypoint' | 'cmd' | 'workingDir'>): { program?: string; shellForm: boolean; line: string } {
  // CMD is the arguments of an ENTRYPOINT (ENTRYPOINT ["/bin/sh", "-c"] with CMD ["/app/hello"]).
  const argv = config.entrypoint.length > 0 ? [...config.entrypoint, ...config.cmd] : config.cmd;
  const line = argv.join(' ');
  if (argv.length === 0) return { shellForm: false, line };
  if (SHELLS.has(argv[0]!) && argv[1] === '-c') {
    // `cd /app && ./hello`: each leading cd moves the folder the next command starts in.
    let workingDir = config.workingDir;
    let rest = (argv[2] ?? '').trim();
    for (let cd = /^cd\s+([^\s;&|<>()]+)\s*(?:&&|;)\s*/.exec(rest); cd; cd = /^cd\s+([^\s;&|<>()]+)\s*(?:&&|;)\s*/.exec(rest)) {
      workingDir = posix.resolve(workingDir || '/', cd[1]!);
      rest = rest.slice(cd[0].length);
    }
    const words = rest.split(/[\s;&|<>()]+/);
    while (words.length > 1 && PREFIXES.has(words[0]!)) words.shift();
    const first = words[0];
    return { program: first ? resolveIn(workingDir, first) : undefined, shellForm: true, line: argv.slice(2).join(' ') };
  }
  return { program: resolveIn(config.workingDir, argv[0]!), shellForm: false, line };
}

/** A bare name (looked up on PATH) stays bare; a path is made absolute from the working folder. */
function resolveIn(workingDir: string, program: string): string {
  return program.includes('/') ? posix.resolve(workingDir || '/', program) : program;
}

/** The stage that the image's CMD or ENTRYPOINT was written in, and its form; undefined when none was. */
export function startForm(stages: StageFacts[]): { exec: boolean; keyword: 'CMD' | 'ENTRYPOINT' } | undefined {
  let stage: StageFacts | undefined = stages.at(-1);
  for (let hops = 0; stage && hops <= stages.length; hops++) {
    if (stage.entrypoint) return { exec: stage.entrypoint.exec, keyword: 'ENTRYPOINT' };
    if (stage.cmd) return { exec: stage.cmd.exec, keyword: 'CMD' };
    stage = stage.baseStage !== undefined ? stages[stage.baseStage] : undefined;
  }
  return undefined;
}
