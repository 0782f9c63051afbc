// One runner per check kind. A runner answers pass or fail (the learner's work is wrong: what was
// expected, what was seen); it throws CannotJudge when it could not tell, which becomes `error`.
import { posix } from 'node:path';
import { offBy } from '../../src/schemas/measurement.ts';
import type { AnsweredRequest, Check, CheckKind } from '../../src/schemas/checks.ts';
import { describeOutput, excerpt, matchesOutput } from './output.ts';
import { CannotJudge, programDigest, type FolderFacts, type LearnerEngine, type LearnerImage, type ProgramFile, type Provenance } from './port.ts';
import { nearMiss } from './near-miss.ts';
import { diagnose } from './diagnose.ts';
import { elfFacts } from './elf.ts';
import { linesOfStages, originOf, rootBase, sourceOf, stageFacts, startForm, type StageFacts } from './provenance.ts';
import { locateProgram, whyNotStarted } from './start-failure.ts';
import { steeringVariables, steersCompiler } from './toolchain.ts';

export interface Verdict {
  status: 'pass' | 'fail';
  expected?: string;
  seen?: string;
  /** A hint drawn from the learner's real state; beats the check's generic ones. */
  hint?: string;
  evidence: Record<string, string | number>;
}

/** The figures the learner typed in the lesson's blanks, by check id: the latest of each. */
export type Typed = Record<string, { typed: string; value: number }>;

type Runner<K extends CheckKind> = (check: Extract<Check, { kind: K }>, engine: LearnerEngine, typed: Typed) => Promise<Verdict>;

const pass = (evidence: Verdict['evidence'] = {}): Verdict => ({ status: 'pass', evidence });
const fail = (expected: string, seen: string, evidence: Verdict['evidence'] = {}, hint?: string): Verdict => ({ status: 'fail', expected, seen, evidence, ...(hint ? { hint } : {}) });
/** The command a learner types for each request the gateway records. */
const ANSWERED_COMMAND: Record<AnsweredRequest, string> = { version: 'docker version', 'image-list': 'docker image ls' };
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/** How many regular files the image holds, counted as the lesson counts them, inside it. */
async function filesIn(engine: LearnerEngine, imageId: string): Promise<number> {
  const counted = await engine.run(imageId, ['sh', '-c', 'find / -xdev -type f | wc -l'], 20_000);
  const count = /^\s*(\d+)\s*$/.exec(counted.stdout)?.[1];
  // An image without sh or find cannot be counted this way: that is no fault of the learner's figure.
  if (counted.exitCode !== 0 || count === undefined) throw new CannotJudge('cannot_count', 'The files of this image could not be counted (it needs sh and find).');
  return Number(count);
}

/** The learner's image, or a failure saying it is not there (naming a near miss they do have). */
async function needImage(engine: LearnerEngine, name: string): Promise<LearnerImage | Verdict> {
  const image = await engine.image(name);
  if (image) return image;
  const near = nearMiss(name, await engine.imageNames());
  // The cause is recorded as facts (`missingImage`, and whether the learner's latest build failed),
  // not left to be read back from the message.
  const lastFailed = (await engine.lastBuild())?.outcome === 'failed';
  return fail(`an image named ${name}`, `no image named ${name} (docker image ls lists yours)`, { missingImage: name, ...(lastFailed ? { lastBuildFailed: 1 } : {}) },
    near ? `You have ${near}: did you mean ${name}? Build with -t ${name}, or name it with docker tag ${near} ${name}.` : undefined);
}

/** The learner's image and how their own build made it; a base image under a new name never passes. */
async function needBuilt(engine: LearnerEngine, name: string): Promise<{ image: LearnerImage; provenance: Provenance } | Verdict> {
  const image = await needImage(engine, name);
  if (isVerdict(image)) return image;
  const provenance = await engine.provenance(image.id);
  if (provenance) return { image, provenance };
  return fail(`${name} made by a docker build of yours`, `${name} was not made by any build of yours that the lab recorded (a base image or another image under a new name)`,
    { imageId: image.id }, `Build it from your Dockerfile: docker build -t ${name} . (a docker tag of another image does not count).`);
}

const isVerdict = (value: object): value is Verdict => 'status' in value;

/** The same program: the same bytes, or the same code as the kernel loads it (strip and install -s change the file, not that). */
function sameProgram(a: Buffer, b: Buffer): boolean {
  if (programDigest(a) === programDigest(b)) return true;
  const loaded = elfFacts(a)?.loaded;
  return loaded !== undefined && loaded === elfFacts(b)?.loaded;
}

/** A history entry's instruction without the shell the engine ran it under (/bin/sh -c, a SHELL's) or its #(nop) marker. */
const stepText = (createdBy: string) => createdBy.replace(/^\S+(?: \S+)*? -c (?:#\(nop\) +)?/, '');

/** What wrote a program, found by walking back through the build's images (one per instruction) and the stages it copied from. */
type Writer =
  | { kind: 'compile'; step: string }
  /** A compiling RUN whose compiler may not have been the lab's, or not alone in making the program (why says what steered it). */
  | { kind: 'steered'; step: string; why: string; hint: string }
  /** A RUN that compiles nothing (base64 -d, a script, cp of a file that was not compiled either); `over` when a file was there before it. */
  | { kind: 'step'; step: string; over: boolean }
  | { kind: 'copy'; from: 'context' | 'image' }
  /** The image the stages start from held it already, at `path`. */
  | { kind: 'base'; stage: number; path: string; file: ProgramFile }
  /** The stage a COPY --from took it from has another file there: a later step changed or replaced it. */
  | { kind: 'changed'; stage: number; path: string }
  /** An image of the build is gone, or its history does not match its Dockerfile. */
  | { kind: 'unknown' };

/**
 * Which instruction of the build wrote `target` at `path` of the image of stage `stageIndex`. The
 * engine keeps an image per instruction, newest first in the image's history, one for each
 * instruction of the stage and of the stages it starts from: the writer is the newest instruction
 * whose image holds the program where the one before it does not. Text that the learner wrote
 * (a variable's value, a comment in a RUN) never says which it was. A tool that copies, moves or
 * strips the program (cp, install, strip) is followed to the file it took, holding the same code
 * before it ran; a COPY --from to the stage it copied from. `from` skips the newest instructions.
 */
async function writtenBy(engine: LearnerEngine, provenance: Provenance, stages: StageFacts[], stageIndex: number, imageId: string, path: string, target: Buffer, from = 0, hops = 0): Promise<Writer> {
  const unknown: Writer = { kind: 'unknown' };
  const chainStages = chainOf(stages, stageIndex);
  const chain = chainStages.flatMap((stage) => [...stage.instructions].reverse());
  const full = await unlessGone(engine.history(imageId), undefined);
  if (!full || hops > stages.length + 4) return unknown;
  const root = chainStages.at(-1)!;
  const baseImage = await baseImageOf(engine, root);
  // The entries above the base image's own are the chain's, and on top of the stage built last one
  // LABEL per --label key (the gateway's and the learner's), which write no file: counted from the
  // base up, never guessed from their text.
  const baseEntries = baseImage ? (await unlessGone(engine.history(baseImage.id), undefined))?.length : 0;
  if (baseEntries === undefined) return unknown;
  const labels = full.length - baseEntries - chain.length;
  if (labels < 0 || full.slice(0, labels).some((entry) => entry.size !== 0 || !/^\S+(?: \S+)*? -c #\(nop\) +LABEL /.test(entry.createdBy))) return unknown;
  const history = full.slice(labels);
  // The image after instruction `at` (newest first); past the chain, the image the stages start from.
  const imageAt = (at: number) => (at < chain.length ? history[at]?.id || undefined : baseImage?.id);
  const holds = async (at: number, where: string): Promise<ProgramFile | null | undefined> => {
    if (at >= chain.length && !baseImage) return null; // scratch
    const id = imageAt(at);
    if (!id) return undefined;
    const file = await stageFile(engine, id, where);
    return file && sameProgram(file.bytes, target) ? file : file === undefined ? undefined : null;
  };
  // A link (RUN ln -s /src/hello /usr/local/bin/hello) writes no bytes of the program: who wrote the file it leads to?
  const newestId = imageAt(from);
  const newest = newestId === undefined ? undefined : await stageFile(engine, newestId, path);
  if (newest && newest.path !== path) return writtenBy(engine, provenance, stages, stageIndex, imageId, newest.path, target, from, hops + 1);
  let writer: number | undefined;
  for (let at = from; ; at++) {
    // ENV, LABEL, CMD…: no file changes, unless the engine kept a layer for it (a cache hit on an
    // image that a RUN made under that instruction's record, SHELL ["/tmp/d"] then MAINTAINER x).
    if (at < chain.length && chain[at]!.kind === 'other' && history[at]?.size === 0) continue;
    const here = await holds(at, path);
    if (here === undefined) return unknown;
    if (here === null) break;
    if (at >= chain.length) return { kind: 'base', stage: root.index, path, file: here };
    writer = at;
  }
  // Not even the newest image asked holds it: what was copied from there is not this program.
  if (writer === undefined) return hops > 0 && from === 0 ? { kind: 'changed', stage: stageIndex, path } : unknown;
  const step = chain[writer]!;
  if (step.kind === 'other') return { kind: 'step', step: stepText(history[writer]?.createdBy ?? ''), over: false };
  if (step.kind === 'copy') {
    if (step.untraceable) return unknown;
    if (step.from === 'context') return { kind: 'copy', from: 'context' };
    if ('image' in step.from) return { kind: 'copy', from: 'image' };
    const source = sourceOf(step, path);
    const sourceImage = provenance.stageImages[step.from.stage];
    // A pattern or a folder that the trace cannot follow (COPY --from=x /stas[h] /) wrote over it.
    if (!source) return { kind: 'step', step: `COPY --from=${stages[step.from.stage]?.name ?? step.from.stage} ${step.sources.join(' ')} ${step.dest}`, over: true };
    if (!sourceImage) return unknown;
    return writtenBy(engine, provenance, stages, step.from.stage, sourceImage, source.source, target, 0, hops + 1);
  }
  // A RUN that copies, moves or strips a program that was already there, at a path it names, holding
  // the same code before it ran, only passed it on, even beside a compiler (RUN gcc --version && cp
  // /tmp/x /app/hello): if those tools are the lab's (no step wrote in the system's folders before
  // it, nor it beside the program; PATH and the loader as the lab has them).
  const toolsAsTheLabs = async () => (await toolsNotLabs(engine, imageAt(writer! + 1), history[writer!]?.id || undefined, path)) === undefined;
  if (step.reshapes && (await toolsAsTheLabs())) {
    for (const word of step.text.split(/[\s;&|]+/)) {
      if (word === '' || word.startsWith('-') || /[$`*?'"]/.test(word)) continue;
      const source = posix.resolve(step.workdir ?? '/', word);
      if (source === path || (await holds(writer! + 1, source)) == null) continue;
      // The program was at `source` before the tool ran: who wrote it there?
      return writtenBy(engine, provenance, stages, stageIndex, imageId, source, target, writer! + 1, hops + 1);
    }
  }
  const before = imageAt(writer! + 1);
  if (step.compiles) {
    const chainText = linesOfStages(provenance.dockerfile, chainStages.map((stage) => stage.index));
    const steered = await compilerNotLabs(engine, provenance, step.text, chainText, before, history[writer!]?.id || undefined, path);
    return steered === undefined ? { kind: 'compile', step: step.text } : { kind: 'steered', step: step.text, ...steered };
  }
  return { kind: 'step', step: step.text, over: before !== undefined && (await stageFile(engine, before, path).catch(() => null)) != null };
}

const STEERED_HINT = 'Compile with the lab\'s gcc as it comes: leave the system\'s folders (/usr, /bin, /lib, /etc), PATH and the loader\'s variables alone before you compile, and do not point gcc at other programs (-B, -wrapper, -specs).';

/**
 * Why the compiler a RUN ran may not have been the lab's, or undefined when it was: prebuilt object
 * code in the folder, an option or a variable in the RUN or its stages' lines (`chainText`) that
 * points it at other files, or a write in the system's folders (toolsNotLabs).
 */
async function compilerNotLabs(engine: LearnerEngine, provenance: Provenance, text: string, chainText: string, before: string | undefined, compiled: string | undefined, program: string): Promise<{ why: string; hint: string } | undefined> {
  const object = provenance.folder.objects?.[0];
  if (object !== undefined) {
    return { why: `your build folder holds prebuilt object code (${object}), which a compile may link in as it is`,
      hint: `Compile from source alone: remove ${object} from your build folder (or add it to .dockerignore) and build again.` };
  }
  const flagged = steersCompiler(text, chainText);
  if (flagged !== undefined) return { why: flagged, hint: STEERED_HINT };
  return toolsNotLabs(engine, before, compiled, program);
}

/**
 * Why the programs a RUN ran (a compiler, strip, cp) may not have been the lab's, or undefined when
 * they were: its variables steer them (PATH not the lab's, LD_PRELOAD), or a step since the base
 * image wrote in the system's folders (where the shell, the tools, gcc's programs, start-up files
 * and libraries are, whatever their names), or the step itself did, but for the program it made
 * (at `program`). What each step wrote is the gateway's record, read from the engine.
 */
async function toolsNotLabs(engine: LearnerEngine, before: string | undefined, step: string | undefined, program: string): Promise<{ why: string; hint: string } | undefined> {
  const unrecorded = (what: string) => ({
    why: `the lab has no record of what ${what} wrote (it was built outside the lab)`,
    hint: 'Build it again with docker build --no-cache, from a base image of the course.',
  });
  const steered = (why: string) => ({ why, hint: STEERED_HINT });
  if (before === undefined || step === undefined) return unrecorded('the steps before it');
  const lab = await engine.labImage();
  if (lab === undefined) throw new CannotJudge('engine_unavailable', 'the lab\'s toolchain image is missing from the engine');
  const [env, labEnv] = await Promise.all([engine.config(before), engine.config(lab)]);
  const variables = steeringVariables(env.env, labEnv.env);
  if (variables !== undefined) return steered(variables);
  // The step may write its program anywhere (gcc -o /usr/local/bin/hello), and nothing else there.
  const own = await engine.stepWrites(step);
  if (own === undefined || own === 'base') return unrecorded('this step');
  const aside = own.find((path) => path !== program && !program.startsWith(`${path}/`));
  if (aside !== undefined) return steered(`the step also wrote ${aside}, in the system's folders, where the compiler's own files are`);
  for (const entry of await engine.history(before)) {
    const earlier = stepText(entry.createdBy).trim().slice(0, 80);
    if (!entry.id) return unrecorded(`the step ${earlier}`);
    const writes = await engine.stepWrites(entry.id);
    if (writes === 'base') return undefined;
    if (writes === undefined) return unrecorded(`the step ${earlier}`);
    if (writes.length > 0) return steered(`an earlier step (${earlier}) wrote ${writes[0]}, in the system's folders, where the compiler's own files are`);
  }
  return unrecorded('the image it started from');
}

/** The folder of this build and those of the learner's earlier builds its stages start from (by image id), a few deep. */
async function foldersOf(engine: LearnerEngine, provenance: Provenance, stages: StageFacts[], depth = 0): Promise<FolderFacts[]> {
  const folders = [provenance.folder];
  if (depth >= 3) return folders;
  for (const stage of stages) {
    if (!/^[0-9a-f]{64}$/.test(stage.baseRef)) continue;
    const earlier = await engine.provenance(`sha256:${stage.baseRef}`);
    if (earlier) folders.push(...await foldersOf(engine, earlier, stageFacts(earlier), depth + 1));
  }
  return folders;
}

/** The folder file a program was brought in as: its very bytes, or its build id (stripped or changed). */
function broughtIn(folders: FolderFacts[], bytes: Buffer): { name: string; how: string } | undefined {
  const digest = programDigest(bytes);
  const buildId = elfFacts(bytes)?.buildId;
  for (const folder of folders) {
    if (folder.files[digest] !== undefined) return { name: folder.files[digest]!, how: 'byte for byte' };
    const byId = buildId === undefined ? undefined : folder.buildIds?.[buildId];
    if (byId !== undefined) return { name: byId, how: 'the same linked program (the same build id) as' };
  }
  return undefined;
}

/** A read started ahead of need: a failure is the verdict's only if it is awaited. */
function asked<T>(read: Promise<T>): Promise<T> {
  read.catch(() => undefined);
  return read;
}

/** Stage facts already read in a grading run (one engine per run), by build: every check reads the same. */
const factsRead = new WeakMap<LearnerEngine, Map<string, Promise<StageFacts[]>>>();

/** The build's stages, read with the variables of the base images they start from (PATH, …); once per build in a grading run. */
function factsOf(engine: LearnerEngine, provenance: Provenance): Promise<StageFacts[]> {
  const read = factsRead.get(engine) ?? new Map<string, Promise<StageFacts[]>>();
  factsRead.set(engine, read);
  const key = JSON.stringify([provenance.dockerfile, provenance.stages, provenance.target, provenance.folder.scripts]);
  if (!read.has(key)) read.set(key, readFacts(engine, provenance));
  return read.get(key)!;
}

async function readFacts(engine: LearnerEngine, provenance: Provenance): Promise<StageFacts[]> {
  const baseEnv = new Map<string, string[]>();
  const names = new Set(provenance.stages.flatMap((s) => (s.name ? [s.name] : [])));
  for (const { base } of provenance.stages) {
    if (base === 'scratch' || names.has(base.toLowerCase()) || baseEnv.has(base)) continue;
    const image = await engine.image(base);
    if (image) baseEnv.set(base, (await engine.config(image.id)).env);
  }
  return stageFacts(provenance, baseEnv);
}

/** The stage and the earlier stages it starts from, final first. */
function chainOf(stages: StageFacts[], index: number): StageFacts[] {
  const chain: StageFacts[] = [];
  for (let at: StageFacts | undefined = stages[index]; at && chain.length <= stages.length; at = at.baseStage !== undefined ? stages[at.baseStage] : undefined) chain.push(at);
  return chain;
}

/** A stage's base image as the engine read it: the learner's own image by the id the build used, or a lab image by name. */
async function baseImageOf(engine: LearnerEngine, stage: StageFacts): Promise<LearnerImage | undefined> {
  if (/^[0-9a-f]{64}$/.test(stage.baseRef)) return { id: `sha256:${stage.baseRef}`, size: 0 };
  return stage.base === 'scratch' ? undefined : engine.image(stage.base);
}

/** What `read` gives, or `gone` when the image it reads was removed (the engine answers 404). */
const unlessGone = <T, G>(read: Promise<T>, gone: G): Promise<T | G> => read.catch((error: unknown) => {
  if ((error as { statusCode?: number }).statusCode === 404) return gone;
  throw error;
});

/** Whether `path` is in a base image; 'gone' when the learner's own base image was removed since. */
const inImage = (engine: LearnerEngine, image: LearnerImage, path: string) => unlessGone(engine.pathsExist(image.id, [path]).then((found) => found[path] === true), 'gone' as const);

/** A file of an image the build left (a stage's): null when the image has no file there, undefined when the image is gone. */
const stageFile = (engine: LearnerEngine, imageId: string, path: string) => unlessGone(engine.programFile(imageId, path).then((file) => file ?? null), undefined);

/** A hint is help, never the verdict: one that cannot be worked out is left out. */
const hintOrNone = (hint: Promise<string | undefined>) => hint.catch(() => undefined);

/**
 * The program the image starts is the learner's compiled work: the build's Dockerfile traces it to
 * a stage (not the folder, another image or a base image's file), the images the build left show
 * that a compiling RUN wrote it (writtenBy), and its bytes carry the compiler's own mark, which the
 * programs of the lab's base images do not (a RUN that runs a compiler may copy anything in the
 * same step: that stays the documented limit).
 */
async function compiledProgram(engine: LearnerEngine, name: string, image: LearnerImage, provenance: Provenance): Promise<Compiled | Verdict> {
  const start = await locateProgram(engine, image.id, await engine.config(image.id));
  const evidence: Verdict['evidence'] = { imageId: image.id, dockerfile: provenance.dockerfileName, command: start.line };
  if (!start.program) return fail(`${name} to start your program`, `${name} has no CMD or ENTRYPOINT`, evidence, 'End the final stage with CMD ["/path/to/your/program"].');
  evidence.program = start.program;
  // The file it really is, links followed (a link a RUN made points at the build's own work).
  const file = await engine.programFile(image.id, start.program);
  return judgeProgram(engine, name, image.id, provenance, start.program, file, evidence, 0);
}

type Compiled = { program: string; stage: number; compiler: string; preloads: boolean };

/** Whether `file`, at `program` in the image a recorded build made, is that build's compiled work; `depth` counts the learner's own earlier images gone through. */
async function judgeProgram(engine: LearnerEngine, name: string, imageId: string, provenance: Provenance, program: string, file: ProgramFile | undefined,
  evidence: Verdict['evidence'], depth: number): Promise<Compiled | Verdict> {
  const traced = file?.path ?? program;
  if (traced !== program) evidence.file = traced;
  const stages = await factsOf(engine, provenance);
  const origin = originOf(stages, stages.length - 1, traced);
  const notYours = (seen: string, hint: string) => fail(`${name} to start a program your build compiled`, seen, evidence, hint);
  // The learner's own image a stage started from, removed since: where the program came from cannot be told.
  const baseGone = (base: string) => notYours(`the image ${base}, which a stage of your build started from, is gone, so what of ${program} came from it cannot be told`,
    'Build from the course\'s base images (FROM stagecraft/toolchain, FROM stagecraft/runtime or scratch), or keep the image your build starts from.');
  if (origin.kind === 'context') return notYours(`${program} was copied from your folder (${origin.source}), not built by the Dockerfile`, 'Compile the program in a build stage (RUN gcc …) and COPY --from that stage.');
  if (origin.kind === 'image') return notYours(`${program} was copied from another image, not from a stage of yours`, 'Compile the program in a build stage of your own and COPY --from that stage.');
  if (origin.kind === 'base') {
    // Say what is true: the base image holds that file, or no step of the Dockerfile puts one there.
    const baseImage = await baseImageOf(engine, stages[origin.stage]!);
    const inBase = baseImage !== undefined && (await inImage(engine, baseImage, traced));
    if (inBase === 'gone') return baseGone(origin.base);
    return inBase
      ? notYours(`${program} comes with ${origin.base}: no step of your build made it`, 'The image must start the program your build compiled: CMD ["/app/hello"] (or wherever your COPY put it), not a tool of the base image.')
      : notYours(`no step of your Dockerfile puts a file at ${program}`, 'Check the path your COPY --from writes to and the one CMD starts: they must be the same.');
  }
  if (origin.kind === 'unknown') return notYours(`where ${program} came from could not be traced in your Dockerfile`, 'Compile in a build stage and COPY --from that stage to the path your CMD starts.');
  // The path the trace reached in the compiling stage, not the final one: a base image's file copied
  // under a new name is still the base image's.
  const base = rootBase(stages, origin.stage);
  if (base !== 'scratch') {
    const baseImage = await baseImageOf(engine, chainOf(stages, origin.stage).at(-1)!);
    const inBase = baseImage === undefined ? false : await inImage(engine, baseImage, origin.path);
    if (inBase === 'gone') return baseGone(base);
    // The base has a file there: the program is the base's only if it has the same bytes (a stage
    // that starts from the learner's earlier image and compiles again writes new ones).
    const theirs = inBase && file ? await stageFile(engine, baseImage!.id, origin.path) : undefined;
    if (inBase && (!file || !theirs || sameProgram(theirs.bytes, file.bytes)) && !(theirs && (await compiledBefore(engine, name, baseImage!.id, origin.path, theirs, depth)))) {
      return notYours(`${program} is ${origin.path} of ${base}: your build did not make it`, 'Start the program your build stage compiled, not a tool of the base image.');
    }
  }
  if (file === undefined) return notYours(`${program} is not a file in ${name}`, 'Check the path your COPY --from writes to and the one CMD starts: they must be the same.');
  // The same bytes, or the same linker's build id (which strip keeps), as a file of the build folder,
  // or of the folder of an earlier build of the learner's that a stage starts from: brought in,
  // whatever the RUN that put it there names.
  const brought = broughtIn(await foldersOf(engine, provenance, stages), file.bytes);
  if (brought !== undefined) {
    return notYours(`${program} is ${brought.how} ${brought.name} of your build folder, not the output of your compiler`,
      `Compile the program in your build stage from hello.c rather than copying in one built elsewhere; if ${brought.name} is a copy of your own program, remove it from the folder (or add it to .dockerignore) and build again.`);
  }
  // Which instruction wrote those bytes, read from the images the engine kept of the build: a
  // stage's other RUNs (RUN gcc --version, then RUN base64 -d) are not its compile.
  const writer = await writtenBy(engine, provenance, stages, stages.length - 1, imageId, traced, file.bytes);
  if (writer.kind === 'step') {
    evidence.writtenBy = writer.step.slice(0, 120);
    return writer.over
      ? notYours(`${program} was written by the step "${evidence.writtenBy}", which compiles nothing, over the file that was there`,
        'Copy the compiled program as it is (COPY --from=build …) and leave it unchanged in the final stage.')
      : notYours(`${program} was written by the step "${evidence.writtenBy}", which compiles nothing`,
        'Compile the program in the step that writes it (RUN gcc hello.c -o hello): another RUN that names a compiler does not make its files compiled.');
  }
  if (writer.kind === 'steered') {
    evidence.writtenBy = writer.step.slice(0, 120);
    return notYours(`${program} was written by the step "${evidence.writtenBy}", but ${writer.why}`, writer.hint);
  }
  if (writer.kind === 'copy') {
    return writer.from === 'context'
      ? notYours(`${program} was copied from your folder, not built by the Dockerfile`, 'Compile the program in a build stage (RUN gcc …) and COPY --from that stage.')
      : notYours(`${program} was copied from another image, not from a stage of yours`, 'Compile the program in a build stage of your own and COPY --from that stage.');
  }
  if (writer.kind === 'changed') {
    return notYours(`${program} is not the file stage ${stages[writer.stage]?.name ?? writer.stage} has at ${writer.path}: a later step changed or replaced it`, 'Copy the compiled program as it is (COPY --from=build …) and leave it unchanged in the final stage.');
  }
  if (writer.kind === 'unknown') {
    return notYours(`which step of your build wrote ${program} cannot be told: an image the build made is gone`, 'Build the image again (docker build …): the grader reads which step wrote your program from the images the build made.');
  }
  if (writer.kind === 'base') {
    // Already in the image the stages start from: the learner's own work only if that earlier build of theirs compiled it.
    const root = stages[writer.stage]!;
    const baseImage = /^[0-9a-f]{64}$/.test(root.baseRef) ? await baseImageOf(engine, root) : undefined;
    if (!baseImage || !(await compiledBefore(engine, name, baseImage.id, writer.path, writer.file, depth))) {
      return notYours(`${program} is ${writer.path} of ${root.base}: your build did not make it`, 'Start the program your build stage compiled, not a file of the image it starts from.');
    }
    evidence.writtenBy = `your earlier build of ${root.base}`;
  } else evidence.writtenBy = writer.step.slice(0, 120);
  const elf = elfFacts(file.bytes);
  if (!elf) return notYours(`${program} is a script or text file, not a compiled program`, 'The image must start the binary your compiler made, not a script that prints the text.');
  if (elf.kind !== 'program') return notYours(`${program} is an ELF ${elf.kind === 'object' ? 'object file (gcc -c)' : 'file'}, not a linked program`, 'Link the program: gcc hello.c -o hello (without -c), and start that file.');
  if (!elf.compilerMark) {
    return notYours(`${program} carries no compiler's mark (no GCC or Clang note in its .comment section), which every program gcc or clang writes has`,
      'Your program has no compiler\'s mark: start the file your compiler wrote in your build stage. If you stripped it, keep the note: strip --strip-all -R .note hello (not -R .comment). The base images\' own programs carry no such mark, so it is how the grader tells your program from theirs.');
  }
  evidence.compiler = elf.compilerMark;
  return { program, stage: origin.stage, compiler: elf.compilerMark, preloads: file.imagePreloads };
}

/**
 * Whether the file at `path` of the learner's own earlier image, which a stage of this build started
 * from, is what that earlier build compiled, judged by its own record: then compiling the same
 * source again, which writes the very same bytes, is the learner's work too. A file it was given
 * (from its folder, a base image) stays not theirs, however many images deep.
 */
async function compiledBefore(engine: LearnerEngine, name: string, imageId: string, path: string, file: ProgramFile, depth: number): Promise<boolean> {
  if (depth >= 2) return false;
  const earlier = await unlessGone(engine.provenance(imageId), undefined);
  return earlier !== undefined && !isVerdict(await judgeProgram(engine, name, imageId, earlier, path, file, {}, depth + 1));
}

export const RUNNERS: { [K in CheckKind]: Runner<K> } = {
  // Read from what the gateway recorded when it answered the learner's CLI: typing the words, a
  // file of that name or `docker --version` (the client alone) never reaches it.
  'cli.answered': async (check, engine) => {
    const command = ANSWERED_COMMAND[check.request];
    if (await engine.answered(check.request)) return pass({ request: check.request });
    return fail(`\`${command}\` answered by the lab`, `no \`${command}\` has reached the lab from your terminal yet`, { request: check.request });
  },

  // The learner's figure against their own images now: the typed text is what is judged, the real
  // value comes from the engine. It is kept in the evidence for the instructor; the learner is
  // shown neither it nor which way they are off (see forLearner), so the blank cannot be searched.
  'learner.measured': async (check, engine, typed) => {
    const measured = await needBuilt(engine, check.image);
    if (isVerdict(measured)) return measured;
    const larger = check.than === undefined ? undefined : await needBuilt(engine, check.than);
    if (larger && isVerdict(larger)) return larger;
    const actual = check.quantity === 'files' ? await filesIn(engine, measured.image.id) : larger ? larger.image.size / measured.image.size : measured.image.size;
    const what = check.quantity === 'files' ? `the number of files in ${check.image}` : larger ? `how many times smaller ${check.image} is than ${check.than}` : `the size of ${check.image}`;
    const evidence: Verdict['evidence'] = { imageId: measured.image.id, size: measured.image.size, ...(larger ? { thanId: larger.image.id, thanSize: larger.image.size } : {}), actual: Number(actual.toPrecision(4)) };
    const mine = typed[check.id];
    if (!mine) return fail(`your figure for ${what}, typed in the lesson's box "${check.label}"`, 'nothing typed there yet', evidence, `Measure it in the terminal, type your figure in the box "${check.label}" and save it.`);
    const off = offBy(mine.value, actual);
    const within = `${Math.round(check.tolerance * 100)}%`;
    Object.assign(evidence, { typed: mine.typed, value: mine.value, off: Number(off.toFixed(4)), tolerance: check.tolerance });
    if (off <= check.tolerance) return pass(evidence);
    return fail(`${what}, within ${within}`, `you typed ${mine.typed}, which is more than ${within} away from what your images measure now`, evidence,
      check.quantity === 'files' ? `Count them again: docker run --rm ${check.image} find / -xdev -type f | wc -l` : larger ? `Divide the two sizes in bytes: docker image inspect --format '{{.Size}}' ${check.than} ${check.image}.` : `Read the size again with docker image ls ${check.image} (or in bytes: docker image inspect --format '{{.Size}}' ${check.image}); a rebuild may have changed it.`);
  },

  'image.exists': async (check, engine) => {
    const built = await needBuilt(engine, check.image);
    return isVerdict(built) ? built : pass({ imageId: built.image.id, size: built.image.size, dockerfile: built.provenance.dockerfileName });
  },

  'container.runs': async (check, engine) => {
    const built = await needBuilt(engine, check.image);
    if (isVerdict(built)) return built;
    const { image } = built;
    // The image's run, where its program came from and the program's run on its own read the
    // engine independently: all are asked at once (what a verdict does not need is left unread).
    const running = engine.run(image.id, check.command, check.timeoutSeconds * 1000);
    const compiled = check.compiled ? asked(compiledProgram(engine, check.image, image, built.provenance)) : undefined;
    const aloneRun = check.compiled
      ? asked(engine.config(image.id).then((c) => locateProgram(engine, image.id, c)).then((start) => (start.program ? engine.run(image.id, undefined, check.timeoutSeconds * 1000, start.program) : undefined)))
      : undefined;
    const outcome = await running;
    const evidence: Verdict['evidence'] = { imageId: image.id, size: image.size, exitCode: outcome.exitCode, output: excerpt(outcome.stdout + outcome.stderr) };
    // Printing nothing may mean the program never started: the runtime (runc) reports a failed exec
    // as the container's own output. The image itself says why.
    const config = () => engine.config(image.id);
    const notStarted = async () => (check.command || outcome.stdout !== '' ? undefined : hintOrNone(config().then((c) => whyNotStarted(engine, image.id, c))));
    if (outcome.startError !== undefined) {
      evidence.output = excerpt(outcome.startError);
      return fail(`${check.image} to start`, `it could not start: ${outcome.startError}`, evidence, await notStarted());
    }
    if (outcome.timedOut) return fail(`${check.image} to finish within ${check.timeoutSeconds} s`, 'it was still running and was stopped', evidence);
    if (!matchesOutput(outcome.stdout, check.stdout)) {
      return fail(describeOutput(check.stdout), excerpt(outcome.stdout + outcome.stderr) || '(no output)', evidence, await notStarted());
    }
    if (outcome.exitCode !== check.exitCode) return fail(`exit code ${check.exitCode}`, `exit code ${outcome.exitCode}`, evidence);
    if (!compiled) return pass(evidence);
    const program = await compiled;
    if (isVerdict(program)) return program;
    Object.assign(evidence, { program: program.program, compiler: program.compiler });
    // A library the image preloads into every program could print the text for an empty main().
    if (program.preloads) {
      return fail(`${program.program} to print it by itself`, 'the image preloads a library into every program (/etc/ld.so.preload)', evidence,
        'Remove /etc/ld.so.preload from the image: the text must come from your program, not from a library loaded into it.');
    }
    // Run on its own (no arguments, no shell, none of the image's variables, an empty working folder),
    // the program itself must print it.
    const alone = (await aloneRun) ?? await engine.run(image.id, undefined, check.timeoutSeconds * 1000, program.program);
    if (alone.startError !== undefined || !matchesOutput(alone.stdout, check.stdout)) {
      const output = alone.startError !== undefined ? `it could not start: ${alone.startError}` : excerpt(alone.stdout + alone.stderr) || '(no output)';
      const why = alone.stdout === '' ? await hintOrNone(config().then((c) => whyNotStarted(engine, image.id, c, program.program))) : undefined;
      return fail(`${program.program}, run on its own, to print it`, output, evidence,
        why ?? diagnose(undefined, output) ?? 'The text must come from your compiled program itself, not from arguments, variables or files given to it.');
    }
    return pass(evidence);
  },

  'image.program': async (check, engine) => {
    const built = await needBuilt(engine, check.image);
    if (isVerdict(built)) return built;
    const program = await compiledProgram(engine, check.image, built.image, built.provenance);
    return isVerdict(program) ? program : pass({ imageId: built.image.id, program: program.program, stage: program.stage });
  },

  'image.smallerThan': async (check, engine) => {
    const small = await needBuilt(engine, check.image);
    if (isVerdict(small)) return small;
    const large = await needBuilt(engine, check.than);
    if (isVerdict(large)) return large;
    const evidence: Verdict['evidence'] = { imageId: small.image.id, size: small.image.size, thanId: large.image.id, thanSize: large.image.size };
    if (small.image.id === large.image.id) return fail(`${check.image} and ${check.than} to be two different builds`, 'they are the same image under two names', evidence, `Build ${check.than} from the one-stage Dockerfile and ${check.image} from the two-stage one.`);
    // The comparison means something only if the larger one really is the one-stage build: its own
    // program, compiled in its final image (a stage the final one starts from), toolchain and all.
    const stages = await factsOf(engine, large.provenance);
    const program = await compiledProgram(engine, check.than, large.image, large.provenance);
    const inFinal = !isVerdict(program) && chainOf(stages, stages.length - 1).some((stage) => stage.index === program.stage);
    if (!inFinal) {
      return fail(`${check.than} to be the one-stage build that compiles its program in its final image`,
        isVerdict(program) ? `${check.than}: ${program.seen}` : `${check.than} starts a program compiled in another stage`, evidence,
        [`Build ${check.than} from the one-stage Dockerfile (FROM the toolchain, RUN gcc …, CMD your program).`, isVerdict(program) ? program.hint : undefined].filter(Boolean).join(' '));
    }
    const ratio = large.image.size / small.image.size;
    evidence.ratio = Number(ratio.toFixed(1));
    if (ratio >= check.ratio) return pass(evidence);
    return fail(`${check.image} at least ${check.ratio}× smaller than ${check.than}`,
      `${check.image} ${mb(small.image.size)}, ${check.than} ${mb(large.image.size)}: ${ratio.toFixed(1)}× smaller`, evidence);
  },

  'image.maxSize': async (check, engine) => {
    const built = await needBuilt(engine, check.image);
    if (isVerdict(built)) return built;
    const { image } = built;
    const evidence = { imageId: image.id, size: image.size };
    return image.size <= check.bytes ? pass(evidence) : fail(`${check.image} at most ${mb(check.bytes)}`, mb(image.size), evidence);
  },

  'image.lacks': async (check, engine) => {
    const built = await needBuilt(engine, check.image);
    if (isVerdict(built)) return built;
    const { image } = built;
    const exists = await engine.pathsExist(image.id, check.paths);
    const present = check.paths.filter((p) => exists[p]);
    const evidence = { imageId: image.id, present: present.join(' ') };
    return present.length === 0 ? pass(evidence) : fail(`no ${check.paths.join(', ')} in ${check.image}`, `${present.join(', ')} still in the image`, evidence);
  },

  'image.has': async (check, engine) => {
    const image = await needImage(engine, check.image);
    if (isVerdict(image)) return image;
    const exists = await engine.pathsExist(image.id, check.paths);
    const missing = check.paths.filter((p) => !exists[p]);
    const evidence = { imageId: image.id, missing: missing.join(' ') };
    return missing.length === 0 ? pass(evidence) : fail(`${check.paths.join(', ')} in ${check.image}`, `${missing.join(', ')} missing`, evidence);
  },

  'dockerfile.stages': async (check, engine) => {
    const built = await needBuilt(engine, check.image);
    if (isVerdict(built)) return built;
    const found = await factsOf(engine, built.provenance);
    const evidence = { imageId: built.image.id, dockerfile: built.provenance.dockerfileName, stages: found.length };
    return found.length >= check.atLeast ? pass(evidence) : fail(`at least ${check.atLeast} stages (FROM lines) in the Dockerfile that built ${check.image}`, `${found.length} (${built.provenance.dockerfileName})`, evidence);
  },

  'dockerfile.namedStage': async (check, engine) => {
    const built = await needBuilt(engine, check.image);
    if (isVerdict(built)) return built;
    const names = (await factsOf(engine, built.provenance)).slice(0, -1).map((s) => s.name).filter((n): n is string => n !== undefined);
    const evidence = { imageId: built.image.id, dockerfile: built.provenance.dockerfileName, names: names.join(' ') };
    return names.length > 0 ? pass(evidence) : fail(`a named build stage (FROM … AS build) in the Dockerfile that built ${check.image}`, 'no named stage', evidence);
  },

  'dockerfile.copyFrom': async (check, engine) => {
    const built = await needBuilt(engine, check.image);
    if (isVerdict(built)) return built;
    // The final stage and those it starts from (FROM final AS test adds a stage that copies nothing).
    const stages = await factsOf(engine, built.provenance);
    const fromStages = chainOf(stages, stages.length - 1).flatMap((stage) => stage.steps).filter((s) => s.kind === 'copy' && !s.untraceable && typeof s.from === 'object' && 'stage' in s.from).length;
    const evidence = { imageId: built.image.id, dockerfile: built.provenance.dockerfileName, copies: fromStages };
    return fromStages > 0 ? pass(evidence) : fail(`the final stage of ${check.image}'s Dockerfile to COPY --from an earlier stage`, 'no COPY --from a stage in the final stage', evidence);
  },

  'dockerfile.execCmd': async (check, engine) => {
    const built = await needBuilt(engine, check.image);
    if (isVerdict(built)) return built;
    const form = startForm(await factsOf(engine, built.provenance));
    const evidence = { imageId: built.image.id, dockerfile: built.provenance.dockerfileName, form: form ? `${form.keyword} ${form.exec ? 'exec' : 'shell'}` : 'none' };
    if (!form) return fail('a CMD or ENTRYPOINT in exec form', 'no CMD or ENTRYPOINT', evidence);
    return form.exec ? pass(evidence) : fail('CMD or ENTRYPOINT in exec form, e.g. CMD ["./hello"]', `${form.keyword} in shell form`, evidence);
  },
};
