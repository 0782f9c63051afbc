// What a recorded build tells about an image: its stages, what each copied from where, whether a
// compiler ran, and so where the program the image starts came from. Read from the canonical
// Dockerfile the engine built (the gateway's record), with the engine's own parser: never from a
// file at a fixed path, never from text the learner could change after the build.
import { posix } from 'node:path';
import { parse, processWord, type Node } from '../dockerfile/index.ts';
import type { ImageConfig, Provenance } from './port.ts';

/** A step of a stage that may have put a file in place. */
export type Step =
  | { kind: 'copy'; from: { stage: number } | { image: true } | 'context'; sources: string[]; dest: string }
  /** A RUN may write any file; `compiles` when it names a compiler or build tool as a command. */
  | { kind: 'run'; compiles: boolean };

export interface StageFacts {
  index: number;
  name?: string;
  /** The base as the learner named it. */
  base: string;
  /** The earlier stage it starts from, if it does. */
  baseStage?: number;
  steps: Step[];
  /** CMD and ENTRYPOINT written in this stage, with their form. */
  cmd?: { exec: boolean };
  entrypoint?: { exec: boolean };
}

// A compiler or build tool named as a word of the command, with any path, a target prefix or a
// version suffix (x86_64-linux-gnu-gcc, gcc-12, /usr/bin/cc, c99). Only the size check reads it
// (the larger image must be one that compiled); where the program came from never depends on it.
const COMPILER = /(?:^|[\s;&|("'=])(?:[\w.+/-]*\/)?(?:[\w.+]+-)*(?:gcc|g\+\+|cc|c\+\+|c99|c89|clang(?:\+\+)?|make|cmake|ninja)(?:-[\d.]+)?(?=$|[\s;&|)"'])/;

/** The facts of each stage of the build. */
export function stageFacts(provenance: Provenance): StageFacts[] {
  const parsed = parse(provenance.dockerfile);
  if (!parsed.ok) return [];
  const { escape } = parsed.value;
  // ENV and ARG defaults as the stage sets them, for the paths that use them (WORKDIR $APP).
  let vars = new Map<string, string>();
  const word = (text: string) => {
    const expanded = text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => vars.get((a ?? b)!) ?? whole);
    const w = processWord(expanded, escape);
    return w.ok ? w.value : expanded;
  };
  const varsOf: Map<string, string>[] = [];
  const stages: StageFacts[] = [];
  let workdir = '/';
  const workdirs: string[] = [];
  for (const node of parsed.value.nodes) {
    if (node.cmd === 'from') {
      const index = stages.length;
      const recorded = provenance.stages[index];
      const base = recorded?.base ?? word(node.values[0] ?? '');
      const baseStage = stages.findIndex((s) => s.name !== undefined && s.name === base.toLowerCase());
      stages.push({ index, name: recorded?.name, base, baseStage: baseStage === -1 ? undefined : baseStage, steps: [] });
      workdir = baseStage === -1 ? '/' : workdirs[baseStage] ?? '/';
      workdirs[index] = workdir;
      vars = new Map(baseStage === -1 ? [] : varsOf[baseStage] ?? []);
      varsOf[index] = vars;
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) continue;
    if ((node.cmd === 'env' || node.cmd === 'arg') && node.values.length > 0) {
      const pairs = node.cmd === 'env' ? node.values : node.values.flatMap((v) => (v.includes('=') ? [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)] : []));
      for (let i = 0; i + 1 < pairs.length; i += 2) vars.set(pairs[i]!, word(pairs[i + 1]!));
    } else if (node.cmd === 'workdir' && node.values[0]) {
      workdir = posix.resolve(workdir, word(node.values[0]));
      workdirs[stage.index] = workdir;
    } else if (node.cmd === 'run') {
      stage.steps.push({ kind: 'run', compiles: COMPILER.test(node.values.join(' ')) });
    } else if (node.cmd === 'copy' || node.cmd === 'add') {
      stage.steps.push(copyStep(node, stages, workdir, word));
    } else if (node.cmd === 'cmd') {
      stage.cmd = { exec: node.json };
    } else if (node.cmd === 'entrypoint') {
      stage.entrypoint = { exec: node.json };
    }
  }
  // With --target the image is that stage's: the stages after it were not what the learner built.
  const target = provenance.target === undefined ? -1 : stages.findIndex((s) => s.name === provenance.target);
  return target === -1 ? stages : stages.slice(0, target + 1);
}

function copyStep(node: Node, stages: StageFacts[], workdir: string, word: (text: string) => string): Step {
  const fromFlag = node.flags.find((f) => f.toLowerCase().startsWith('--from='))?.slice('--from='.length);
  const values = node.values.map(word);
  const dest = values.at(-1) ?? '';
  // A destination ending in / (or naming the working folder) is a folder.
  const resolved = posix.resolve(workdir, dest) + (dest.endsWith('/') || dest === '.' ? '/' : '');
  let from: Extract<Step, { kind: 'copy' }>['from'] = 'context';
  if (fromFlag !== undefined) {
    const byName = stages.findIndex((s) => s.name !== undefined && s.name === fromFlag.toLowerCase());
    const byNumber = /^\d+$/.test(fromFlag) && Number(fromFlag) < stages.length - 1 ? Number(fromFlag) : -1;
    from = byName !== -1 ? { stage: byName } : byNumber !== -1 ? { stage: byNumber } : { image: true };
  }
  // Sources of a --from copy are paths in that stage's filesystem, from its root.
  const sources = values.slice(0, -1).map((s) => (from === 'context' ? s : posix.resolve('/', s)));
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
  return ran && (below.kind === 'base' || below.kind === 'unknown') ? { kind: 'run', stage: stageIndex, path } : below;
}

/**
 * The source a copy took `path` from, or undefined when the copy did not write it; `named` when the
 * copy names that file (to that name, or into a folder under its own name), not a folder whose
 * contents may hold it. A source that names a file (a name with a dot, like app.conf or hello.c, or
 * a glob) lands in the folder under its own name; any other source may be a folder.
 */
function sourceOf(step: Extract<Step, { kind: 'copy' }>, path: string): { source: string; named: boolean } | undefined {
  const dest = step.dest;
  const folder = dest.endsWith('/') ? dest : `${dest}/`;
  for (const source of step.sources) {
    if (step.sources.length === 1 && !dest.endsWith('/') && path === dest) return { source, named: true }; // copied to that name
    if (posix.dirname(path) === folder.slice(0, -1) && globMatches(posix.basename(source), posix.basename(path))) {
      return { source: posix.join(posix.dirname(source), posix.basename(path)), named: true }; // into the folder, same name
    }
    const aFile = /[*?[]/.test(source) || (/\.[^/.]+$/.test(posix.basename(source)) && source !== '.' && !source.endsWith('/'));
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
export function programOf(config: ImageConfig): { program?: string; shellForm: boolean; line: string } {
  const argv = config.entrypoint.length > 0 ? config.entrypoint : config.cmd;
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
