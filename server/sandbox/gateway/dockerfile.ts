// The Dockerfile the engine reads is one the gateway wrote. The learner's file is read exactly as
// the engine's parser reads it (server/dockerfile), judged on what the engine would make of it
// (image references, --from values, ADD sources and LABEL keys after its quote, escape and variable
// processing), and written out canonically: one instruction per line, on the line where the
// learner's instruction began (so the engine's errors, like the lesson's `unknown instruction`,
// name the learner's own line), no continuations, and no directive but the escape character.
// The canonical file is parsed again and must give the same instructions, or the build is refused.
// Build arguments (`--build-arg`) are written into it as the defaults of their ARG lines and never
// passed on: the file the engine reads says every value the build used, for grading to read.
import { dump, parse, processWord, splitCommand, unreadable, type Node } from '../../dockerfile/index.ts';
import { LABELS } from '../policy.ts';
import { refuse, type Result } from './police.ts';

/** Maps an image reference from a Dockerfile to the engine's name, or refuses it. */
export type ImageMapper = (reference: string) => Promise<Result<string>>;

/** One stage as the gateway understood it: what grading's provenance records. */
export interface StagePlan {
  index: number;
  /** `AS name`, lower-cased, as the engine keeps it. */
  name?: string;
  /** The base as the learner wrote it (after quote processing): an image, a stage or scratch. */
  base: string;
}

export interface Canonical {
  /** The Dockerfile the engine will read. */
  text: string;
  stages: StagePlan[];
}

const forbidden = (message: string) => refuse('dockerfile_forbidden', message);
const RESERVED_LABEL = LABELS.learner.slice(0, LABELS.learner.lastIndexOf('.') + 1); // org.stagecraft.
// Flags that the gateway writes back must mean the same in plain text: no quote, space or escape.
const PLAIN_FLAG = /^--[a-z]+(=[A-Za-z0-9_.:/@+,-]*)?$/;

/** A --build-arg value the gateway writes into an ARG line as it is: no quote, space, $ or escape to reinterpret. */
const PLAIN_ARG_VALUE = /^[A-Za-z0-9_.:/@%+,=-]*$/;
/** An ARG declaration the gateway may rewrite: NAME, or NAME=a plain value. */
const PLAIN_ARG = new RegExp(`^[A-Za-z_][A-Za-z0-9_]*(=${PLAIN_ARG_VALUE.source.slice(1, -1)})?$`);

/** The learner's Dockerfile, judged and written canonically with every image reference mapped and build arguments in place. */
export async function canonicalDockerfile(text: string, mapImage: ImageMapper, buildArgs: Record<string, string | null> = {}): Promise<Result<Canonical>> {
  const problem = unreadable(text);
  if (problem) return forbidden(problem);
  for (const [name, value] of Object.entries(buildArgs)) {
    if (value !== null && !PLAIN_ARG_VALUE.test(value)) {
      return forbidden(`--build-arg ${name}: in this lab a value may hold only letters, digits and . : / @ % + , = - _`);
    }
  }
  const parsed = parse(text);
  // What the engine cannot parse it will refuse before running anything: let it say so in its words.
  if (!parsed.ok) return refuse('dockerfile_unparsable', `Dockerfile parse error line ${parsed.error.line}: ${parsed.error.message}`, 400);
  const { nodes, escape } = parsed.value;
  const done: string[] = []; // names of finished stages: only those can be referred to
  const stages: StagePlan[] = [];
  const lines: string[] = [];
  if (escape === '`') lines[0] = '# escape=`';
  for (const node of nodes) {
    const judged = await judge(node, { escape, done, stages, mapImage, buildArgs });
    if (!judged.ok) return judged;
    lines[node.startLine - 1] = judged.value;
  }
  const canonical = Array.from(lines, (line) => line ?? '').join('\n') + '\n';
  const again = parse(canonical);
  const same = again.ok && again.value.escape === escape && again.value.nodes.length === nodes.length
    && again.value.nodes.every((node, i) => node.startLine === nodes[i]!.startLine && node.cmd === nodes[i]!.cmd);
  if (!same) return forbidden('this Dockerfile could not be read unambiguously: write one instruction per line');
  return { ok: true, value: { text: canonical, stages } };
}

interface Context {
  escape: string;
  done: string[];
  stages: StagePlan[];
  mapImage: ImageMapper;
  buildArgs: Record<string, string | null>;
}

/** One instruction: refused, or written as the canonical line the engine will read. */
async function judge(node: Node, context: Context): Promise<Result<string>> {
  const line = `${node.cmd.toUpperCase()} ${splitCommand(node.original).rest}`.trimEnd();
  switch (node.cmd) {
    case 'onbuild':
      return forbidden('ONBUILD is not available in this lab');
    case 'volume':
      // Each later step of the build would write into an engine volume of its own, outside the
      // step's layer and every quota, kept until the build ends (seventh review: 720 MB past a
      // 100 MB quota). The course needs none: a container's data lives in the home folder.
      return forbidden('VOLUME is not available in this lab\'s builds: keep data in files your steps write, or in your home folder');
    case 'from':
      return from(node, context, line);
    case 'copy':
    case 'add':
      return copy(node, context, line);
    case 'label':
      return labels(node, context.escape) ?? { ok: true, value: line };
    case 'arg':
      return withBuildArgs(node, line, context.buildArgs);
    default:
      return { ok: true, value: line };
  }
}

/** An ARG line with the values given by --build-arg as its defaults (the line as it was when none applies). */
function withBuildArgs(node: Node, line: string, buildArgs: Record<string, string | null>): Result<string> {
  let changed = false;
  const declarations = node.values.map((declaration) => {
    const name = declaration.includes('=') ? declaration.slice(0, declaration.indexOf('=')) : declaration;
    const given = Object.hasOwn(buildArgs, name) ? buildArgs[name] : null;
    if (given === null || given === undefined) return declaration;
    changed = true;
    return `${name}=${given}`;
  });
  if (!changed) return { ok: true, value: line };
  // Rewritten only when every declaration is plain, so the line means what it says without quotes.
  if (!declarations.every((d) => PLAIN_ARG.test(d))) {
    return forbidden('an ARG line that a --build-arg sets must be plain in this lab: ARG NAME or ARG NAME=value, without quotes');
  }
  return { ok: true, value: `ARG ${declarations.join(' ')}` };
}

async function from(node: Node, context: Context, line: string): Promise<Result<string>> {
  const index = context.stages.length;
  // The previous stage is finished from here on: its name may now be used.
  const previous = context.stages.at(-1);
  if (previous?.name) context.done.push(previous.name);
  const [image, as, name, ...extra] = node.values;
  const wellFormed = image !== undefined && (as === undefined || (as.toUpperCase() === 'AS' && name !== undefined)) && extra.length === 0;
  if (!wellFormed) {
    context.stages.push({ index, base: image ?? '' });
    return { ok: true, value: line }; // malformed: the engine refuses the whole file in its own words
  }
  const badFlag = node.flags.find((flag) => flag !== '--platform=linux/amd64');
  if (badFlag) return forbidden(`FROM flags other than --platform=linux/amd64 are not available in this lab: ${badFlag}`);
  const word = processWord(image, context.escape);
  if (!word.ok && word.reason === 'variable') return forbidden('FROM with a variable is not available in this lab: name the image directly');
  if (!word.ok) return { ok: true, value: line };
  const stageName = name?.toLowerCase();
  context.stages.push({ index, name: stageName, base: word.value });
  let base = word.value;
  if (word.value !== 'scratch' && !context.done.includes(word.value.toLowerCase())) {
    const mapped = await context.mapImage(word.value);
    if (!mapped.ok) return mapped;
    base = mapped.value;
  }
  return { ok: true, value: ['FROM', ...node.flags, base, ...(name ? [as!, name] : [])].join(' ') };
}

async function copy(node: Node, context: Context, line: string): Promise<Result<string>> {
  const keyword = node.cmd.toUpperCase();
  const plain = node.flags.every((flag) => PLAIN_FLAG.test(flag));
  if (!plain) return forbidden(`${keyword} flags must be plain words, e.g. --from=build or --chown=1000:1000`);
  if (node.cmd === 'add') {
    for (const source of node.values.slice(0, -1)) {
      const word = processWord(source, context.escape);
      if (!word.ok && word.reason === 'variable') return forbidden('ADD sources may not use variables in this lab: name the files directly');
      const value = word.ok ? word.value : source;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^git@/i.test(value)) {
        return forbidden('ADD from a URL is not available in this lab: the build has no network. COPY files from the build context instead');
      }
    }
    // The builder unpacks a local archive given to ADD itself, with no container and no size it
    // would stop at: a few MB of compressed zeros become gigabytes outside every quota.
    return forbidden('ADD is not available in this lab: use COPY to copy files from your folder (ADD unpacks archives without limit)');
  }
  const fromFlags = node.flags.filter((flag) => flag.toLowerCase().startsWith('--from'));
  if (fromFlags.length > 1) return forbidden(`${keyword} takes one --from`);
  const fromFlag = node.flags.findIndex((flag) => flag.toLowerCase().startsWith('--from='));
  if (fromFlag === -1) return { ok: true, value: line };
  const source = node.flags[fromFlag]!.slice('--from='.length);
  if (source.includes('$')) return forbidden(`${keyword} --from with a variable is not available in this lab`);
  // The engine looks a --from up among the finished stages, by name or by number, else as an image.
  const finished = context.stages.length - 1;
  if (context.done.includes(source.toLowerCase()) || (/^\d+$/.test(source) && Number(source) < finished)) return { ok: true, value: line };
  const mapped = await context.mapImage(source);
  if (!mapped.ok) return mapped;
  const flags = node.flags.map((flag, i) => (i === fromFlag ? `--from=${mapped.value}` : flag));
  // `--` ends the flags; write it again when the arguments themselves begin with two dashes.
  const args = node.args.startsWith('--') ? `-- ${node.args}` : node.args;
  return { ok: true, value: [keyword, ...flags, args].join(' ') };
}

/** LABEL keys as the engine will set them: none of the lab's own, none that a variable decides. */
function labels(node: Node, escape: string): Result<never> | undefined {
  for (let i = 0; i < node.values.length; i += 2) {
    const key = processWord(node.values[i]!, escape);
    if (!key.ok && key.reason === 'variable') return forbidden('LABEL keys may not use variables in this lab: write the key directly');
    const value = key.ok ? key.value : node.values[i]!;
    if (value.toLowerCase().startsWith(RESERVED_LABEL)) return forbidden(`labels named ${RESERVED_LABEL}* are reserved by the lab`);
  }
  return undefined;
}

/** For tests and the differential corpus: the instructions as the engine's parser tests print them. */
export function dumpAll(text: string): string[] | undefined {
  const parsed = parse(text);
  return parsed.ok ? parsed.value.nodes.map((node) => dump(node)) : undefined;
}
