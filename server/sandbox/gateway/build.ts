// docker build through the gateway: the context is read whole (capped) and rebuilt, the learner's
// Dockerfile is judged as the engine would read it, and the engine builds our canonical copy with
// the lab's forced settings, one build at a time per learner, for a bounded time.
import { LABELS, LIMITS } from '../policy.ts';
import { readCapped } from '../../read-capped.ts';
import { dockerfileIn, readContext, writeContext, type ContextEntry } from './build-context.ts';
import { folderFacts } from '../../grading/index.ts';
import { BuildTracker, type Tracked } from './build-tracker.ts';
import { stages as stagesOf } from '../../dockerfile/index.ts';
import { canonicalDockerfile } from './dockerfile.ts';
import { forceBuildQuery } from './forced.ts';
import type { Exchange, GatewayContext } from './context.ts';
import { normalise } from './names.ts';
import { holdStages } from './stage-holds.ts';
import { StepRecorder, type StepContainer, type StepImage } from './step-writes.ts';
import { BuildWeight } from './build-weight.ts';
import { LabLabelStepFilter } from '../lab-label-step.ts';
import { FREE_SPACE, mb } from './quota.ts';
import { expect, policeBuildQuery, refuse, type Result } from './police.ts';
import { engineUnavailable, relay } from './respond.ts';

/** A line of the engine's build stream that the CLI prints as the build's error. */
const errorLine = (message: string) => `${JSON.stringify({ errorDetail: { message }, error: message })}\n`;

/** What the record of a build keeps of its plan, with the canonical Dockerfile to match stage results against. */
type BuildPlan = { stages: unknown[]; target?: string; folder: unknown; dockerfile: string };

/** What the learner reads when the engine stops in the middle of their build (a restart). */
export const INTERRUPTED = 'Stagecraft: the Docker engine stopped during this build, so it was interrupted and built nothing. Run it again.';

/** What the learner reads when a build step runs out of disk (their quota is refused earlier, with its own message). */
export const DISK_FULL_NOTE = 'Stagecraft: a build step ran out of disk space (no space left on device): the Docker engine\'s disk may be full. If it happens again, tell your instructor. Your files are kept.';
const DISK_FULL = /no space left on device/i;
const DISK_FULL_LINE = `${JSON.stringify({ stream: `${DISK_FULL_NOTE}\n` })}\n`;

/** What of the gateway these routes use. */
type BuildContext = Pick<GatewayContext, 'options' | 'engine' | 'ns' | 'own' | 'quota' | 'hold' | 'release'>;

const contextTooLarge = () => refuse('context_too_large',
  `the build context is larger than ${LIMITS.buildContextBytes / 1024 ** 2} MB: build from a folder with only what the image needs, or add a .dockerignore`, 413);

export async function runBuild(gw: BuildContext, x: Exchange): Promise<void> {
  const { req, res } = x;
  const registryConfig = req.headers['x-registry-config'];
  if (registryConfig !== undefined && registryConfig !== 'e30=') expect(refuse('setting_forbidden', 'registry credentials are not used in this lab'));
  if (Number(req.headers['content-length'] ?? 0) > LIMITS.buildContextBytes) expect(contextTooLarge());
  const policed = expect(policeBuildQuery(x.query));
  const tags = policed.getAll('t').map((tag) => expect(gw.ns.newImageName(tag)));
  // A build stopped over the quota is still having its images removed: the next one waits for that,
  // or it would be taken for the stopped one's (the same learner's step containers).
  await gw.quota.settling;
  if (gw.quota.builds >= LIMITS.concurrentBuilds) expect(refuse('quota_builds', 'another build of yours is still running: wait for it to finish'));
  // Counted before the first await, so two builds sent at once cannot both pass the check.
  gw.quota.builds++;
  let released = false;
  const release = () => { if (!released) { released = true; gw.quota.builds--; } };
  res.on('close', release);
  try {
    const holding = expect(await gw.quota.checkImages(Math.max(1, tags.length)));
    const context = await readCapped(req, LIMITS.buildContextBytes);
    if (!context) expect(contextTooLarge());
    const entries = expect(await readContext(context!));
    const dockerfileName = policed.get('dockerfile') || 'Dockerfile';
    const text = expect(dockerfileIn(entries, dockerfileName));
    // The learner's own images the build starts from are held until it ends: deleting one mid-build
    // would make the engine pull that name from a registry instead.
    const held: string[] = [];
    const buildArgs = JSON.parse(policed.get('buildargs') ?? '{}') as Record<string, string | null>;
    const canonical = expect(await canonicalDockerfile(text, (reference) => mapFromImage(gw, reference, held), buildArgs));
    const query = expect(forceBuildQuery(policed, gw.options.learnerId, gw.options.buildCgroupParent));
    // Written into the canonical Dockerfile's ARG lines: the engine reads them there, and only there.
    query.delete('buildargs');
    // Always the whole output from the engine: the build record needs the id after each step.
    const quiet = ['1', 'true'].includes(query.get('q') ?? '');
    query.delete('q');
    query.delete('t');
    for (const tag of tags) query.append('t', tag);
    gw.hold(held);
    const written = writeContext(entries, canonical.text);
    const plan = { stages: canonical.stages, ...(policed.get('target') ? { target: policed.get('target')!.toLowerCase() } : {}), folder: folderOf(entries) };
    const record = gw.options.builds?.start({ dockerfileName, dockerfile: canonical.text, plan, tags: policed.getAll('t') });
    const planned: BuildPlan = { ...plan, dockerfile: canonical.text };
    const tracker = new BuildTracker();
    const started = Date.now();
    const steps = stepRecorder(gw, started);
    let recording: Promise<void> | undefined;
    let complete = false; // the engine's stream ended by itself (not cut by the learner, the time limit or a restart)
    const { imageBytes, diskFiles } = gw.quota.limits;
    const madeHere = (image: StepImage) => madeByThisBuild(gw, steps, tracker, image);
    const weight = new BuildWeight({
      allowed: { bytes: imageBytes - holding.bytes, files: diskFiles - holding.files }, madeHere,
      image: (ref) => steps.recorder.image(ref), layerFiles: gw.options.layerFiles,
      paid: await gw.quota.paidFor(), isBase: (image) => gw.own.isBaseImage(image),
    }, ({ quota, added }) => stopBuild(quota === 'bytes'
      ? refuse('quota_image_bytes', `this build's layers took your images and containers to ${mb(holding.bytes + added)} MB, past the most this lab allows, ${mb(imageBytes)} MB, so it was stopped. Each RUN, COPY and ADD keeps what it wrote as a layer: delete big files in the RUN that made them, or ${FREE_SPACE}`, 413)
      : refuse('quota_files', `this build's layers took your images to ${holding.files + added} files and folders, past the most this lab allows, ${diskFiles}, so it was stopped. Each RUN, COPY and ADD keeps the files it made as a layer: make fewer (an archive is one file), or ${FREE_SPACE}`, 413)));
    const finish = () => recording ??= (async () => {
      gw.release(held);
      if (record !== undefined) await recordImages(gw, record, planned, tracker.result(complete), tracker.logTail, steps, madeHere).catch((error: unknown) => console.error('gateway: a build record failed:', error));
      // A build stopped over the quota leaves nothing behind.
      if (stoppedBy === 'quota_image_bytes' || stoppedBy === 'quota_files') await removeMade(gw, steps, weight.made, madeHere);
    })();

    query.set('dockerfile', written.name);
    const upstream = gw.engine.request('POST', '/build', query, { 'Content-Type': 'application/x-tar', 'X-Registry-Config': 'e30=' });
    let stoppedBy: string | undefined;
    // The gateway stops the build (its time or the image quota): the engine cancels it as the
    // connection closes, and the learner reads why as the build's error.
    const stopBuild = (refusal: ReturnType<typeof refuse>) => {
      if (stoppedBy) return;
      stoppedBy = refusal.error.code;
      upstream.destroy();
      gw.options.onRefusal?.(refusal.error, { method: 'POST', url: '/build' });
      if (!res.headersSent) return expectLater(res, refusal);
      if (!res.writableEnded) res.end(errorLine(`Stagecraft: ${refusal.error.message}`));
    };
    const timer = setTimeout(() => stopBuild(refuse('build_timeout', `the build ran longer than ${Math.round(gw.quota.limits.buildTimeoutMs / 1000)} seconds and was stopped`, 408)), gw.quota.limits.buildTimeoutMs);
    res.on('close', () => { clearTimeout(timer); upstream.destroy(); gw.quota.settling = finish().catch(() => undefined); });
    const labelStep = new LabLabelStepFilter();
    gw.options.buildLog?.start();
    upstream.on('response', (answer) => {
      relay(answer, res, 'lines', (chunk) => {
        const quietLines: string[] = [];
        const failedBefore = tracker.failed;
        const printedBefore = tracker.printedCount;
        for (const line of chunk.split('\n')) {
          const quietLine = line ? tracker.feed(line) : undefined;
          if (quietLine !== undefined) quietLines.push(quietLine);
        }
        // Each step's reads begin as the engine prints its image, while the next steps run.
        for (const ref of tracker.printedSince(printedBefore)) {
          void steps.recorder.writes(ref);
          void weight.step(ref);
        }
        const text = gw.ns.toLearner(chunk.split('\n').flatMap((line) => (line ? labelStep.line(line) ?? [] : [line])).join('\n'));
        tracker.log(text);
        gw.options.buildLog?.append(text);
        // The CLI stops at the error, so a word on why goes just before it.
        const note = !failedBefore && tracker.failed && DISK_FULL.test(tracker.logTail) ? DISK_FULL_LINE : '';
        return note + (quiet ? gw.ns.toLearner(quietLines.map((line) => `${line}\n`).join('')) : text);
      }, {
        beforeEnd: async () => {
          // Recorded before the CLI hears the build has ended: a check right after it finds the record.
          complete = true;
          await finish();
          gw.options.onImagesChanged?.();
          if (quiet && !res.writableEnded) res.write(gw.ns.toLearner(tracker.quietEnd()));
        },
        brokenLine: errorLine(INTERRUPTED),
      });
    });
    upstream.on('error', () => { if (!res.writableEnded) engineUnavailable(res); });
    written.stream.on('error', () => upstream.destroy());
    written.stream.pipe(upstream);
  } catch (error) {
    release();
    throw error;
  }
}

/** What grading needs to know of what the learner brought: each file's digest, and which are build scripts. */
const folderOf = (entries: ContextEntry[]) => folderFacts(entries.flatMap((e) => (e.type === 'file' && e.data ? [{ name: e.name, data: e.data }] : [])));

/**
 * Records how the build ended, every image it made, by full id (those are the learner's, even an
 * earlier stage's result that has no name; 'step': every image a step left, stage results
 * included), and what each step wrote in the system's folders; then removes the steps' containers.
 * A base image is never recorded, whatever printed it.
 */
async function recordImages(gw: BuildContext, record: number, plan: BuildPlan, tracked: Tracked, log: string, steps: BuildSteps, madeHere: (image: StepImage) => Promise<boolean>): Promise<void> {
  const wanted = [
    ...(tracked.final ? [{ ref: tracked.final, role: 'final' as const }] : []),
    ...tracked.stages.map((ref) => ({ ref, role: 'stage' as const })),
    ...tracked.printed.map((ref) => ({ ref, role: 'step' as const })),
  ];
  const images: { id: string; role: 'final' | 'stage' | 'step' }[] = [];
  const made: string[] = [];
  for (const { ref, role } of wanted) {
    if (!/^(sha256:)?[0-9a-f]{12,64}$/.test(ref)) continue;
    const info = await steps.recorder.image(ref);
    if (!info || gw.own.isBaseImage(info) || images.some((i) => i.id === info.Id)) continue;
    // Final and stage ids come from the engine's own messages; a printed id counts only if the engine
    // made that image during this build (a step can print another learner's id, not make their image).
    // A stage that came whole from the build cache is someone's earlier image: it stays theirs. (The
    // engine runs on this host: its clock is ours, and this build began before it made anything.)
    const created = Date.parse(info.Created ?? '');
    if (role !== 'final' && !(created >= steps.started)) continue;
    // A printed step taken from the cache that someone's build made meanwhile is theirs, not this one's.
    const here = await madeHere(info);
    if (role === 'step' && !here) continue;
    images.push({ id: info.Id, role });
    if (here) made.push(info.Id);
  }
  const imageId = images.find((i) => i.role === 'final')?.id;
  // Each stage's image by index, as the engine announced them: grading reads a compiled program
  // where the stage that compiled it left it, whatever later steps did.
  const stageImages = tracked.final ? stageImagesOf(plan.dockerfile, plan.target, [...tracked.stages, tracked.final]) : [];
  const { dockerfile: _, ...kept } = plan;
  if (imageId) await holdStages(gw.engine, gw.ns, imageId, stageImages);
  const writes = (await Promise.all(made.map((id) => steps.recorder.writes(id)))).filter((step) => step !== undefined);
  gw.options.builds?.finish(record, { outcome: tracked.outcome, imageId, images, steps: writes, log, plan: { ...kept, stageImages } });
  // The steps' containers: each image's own, and those of steps that made none (a failed or cut RUN).
  // Without a cgroup of ours, a printed container could be anyone's: only the images' own are taken.
  if (gw.options.buildCgroupParent) for (const ref of tracked.containers) void ownedStep(gw, steps, ref);
  // Removed after the learner hears the build has ended: nothing waits on them.
  void Promise.all(steps.containers.values()).then((found) => Promise.all(found.filter((step) => step !== undefined)
    .map((step) => removeContainer(gw, step.id))));
}

const removeContainer = (gw: BuildContext, id: string) => gw.engine.json('DELETE', `/containers/${id}`, new URLSearchParams({ force: '1', v: '1' })).catch(() => undefined);

/** How long removing a stopped build's images may keep trying: the engine winds the build down on its own time. */
const REMOVE_MADE_FOR_MS = 15_000;

/**
 * Removes the images a stopped build made, newest first, each after the learner's step containers
 * that use it. The engine may still be creating or running the next step's container as the build
 * is cancelled, so what could not go yet is tried again until the deadline. An image someone
 * else's container uses stays.
 */
async function removeMade(gw: BuildContext, steps: BuildSteps, made: string[], madeHere: (image: StepImage) => Promise<boolean>): Promise<void> {
  let left = [...made].reverse();
  const deadline = Date.now() + REMOVE_MADE_FOR_MS;
  let quiet = 0;
  while (quiet < QUIET_ROUNDS && Date.now() < deadline) {
    // The step the engine was on when the build was stopped may still finish, and the lab's label
    // step commit after it: an image the gateway never saw printed. It carries the learner's label.
    const late = await labelledSince(gw, steps.started);
    left = [...new Set([...late, ...left])];
    quiet = left.length === 0 ? quiet + 1 : 0;
    const kept: string[] = [];
    for (const id of left) {
      // An id the build's output printed may be anyone's (a RUN can print " ---> <id>"): one named
      // by someone else is theirs, and left alone.
      const now = await gw.engine.json('GET', `/images/${id}/json`).catch(() => undefined);
      if (now?.status === 200 && ((now.body as StepImage).RepoTags ?? []).some((tag) => !gw.own.ownsTag(tag))) continue;
      const users = await gw.engine.json('GET', '/containers/json', new URLSearchParams({ all: '1', filters: JSON.stringify({ ancestor: [id] }) })).catch(() => undefined);
      for (const user of users?.status === 200 ? users.body as { Id: string }[] : []) {
        if (await ownedStep(gw, steps, user.Id)) await removeContainer(gw, user.Id);
      }
      // Named more than once by the learner (-t a -t b), the engine deletes only by force.
      const tags = now?.status === 200 ? ((now.body as StepImage).RepoTags ?? []).length : 0;
      const removed = await gw.engine.json('DELETE', `/images/${id}`, new URLSearchParams(tags > 1 ? { force: '1' } : {})).catch(() => undefined);
      if (removed?.status === 200 || removed?.status === 404) continue;
      // A step that finished after the stop made a child the gateway never saw printed: it goes first.
      kept.unshift(...await childrenMadeHere(gw, id, madeHere, steps.started));
      kept.push(id);
    }
    left = kept;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Images whose parent is `id` (one this build made), made by this build. The step container of
 * one committed after the stop may be gone already (the build removes its own): an untagged child
 * of this build's image made since it began, whose container is gone, is taken as this build's.
 */
async function childrenMadeHere(gw: BuildContext, id: string, madeHere: (image: StepImage) => Promise<boolean>, started: number): Promise<string[]> {
  const answer = await gw.engine.json('GET', '/images/json', new URLSearchParams({ all: '1', filters: JSON.stringify({ since: [id] }) })).catch(() => undefined);
  const later = answer?.status === 200 && Array.isArray(answer.body) ? (answer.body as { Id: string; ParentId: string }[]) : [];
  const children: string[] = [];
  for (const child of later.filter((image) => image.ParentId === id)) {
    const info = await gw.engine.json('GET', `/images/${child.Id}/json`).catch(() => undefined);
    if (info?.status !== 200) continue;
    const image = info.body as StepImage;
    const orphaned = async () => Date.parse(image.Created ?? '') >= started && (image.RepoTags ?? []).length === 0 && !!image.Container
      && (await gw.engine.json('GET', `/containers/${image.Container}/json`).catch(() => undefined))?.status === 404;
    if (await madeHere(image) || await orphaned()) children.push(child.Id);
  }
  return children;
}

/**
 * Rounds of 250 ms with nothing left to remove before a stopped build counts as wound down: the
 * engine committed the label step about a second after the step it was on (eighth review).
 */
const QUIET_ROUNDS = 20;

/** The learner's labelled images (their builds' last step) made since `started`, newest first. */
async function labelledSince(gw: BuildContext, started: number): Promise<string[]> {
  const label = gw.own.containerLabels.filter((l) => l.startsWith(`${LABELS.learner}=`));
  const answer = await gw.engine.json('GET', '/images/json', new URLSearchParams({ all: '1', filters: JSON.stringify({ label }) })).catch(() => undefined);
  if (answer?.status !== 200 || !Array.isArray(answer.body) || label.length === 0) return [];
  // The list says seconds: the few from about then are asked their exact time.
  const recent = (answer.body as { Id: string; Created: number }[]).filter((image) => image.Created * 1000 >= started - 1000);
  const exact = await Promise.all(recent.map(async (image) => {
    const info = await gw.engine.json('GET', `/images/${image.Id}/json`).catch(() => undefined);
    const created = info?.status === 200 ? Date.parse((info.body as StepImage).Created ?? '') : NaN;
    return { id: image.Id, created };
  }));
  return exact.filter((image) => image.created >= started).sort((a, b) => b.created - a.created).map((image) => image.id);
}

/**
 * Whether this build made the image: made since it began, not printed as taken from the cache (a
 * build running meanwhile may have made the image the cache gives), and, when the engine committed
 * it from a container, from a step container of this learner's build.
 */
async function madeByThisBuild(gw: BuildContext, steps: BuildSteps, tracker: BuildTracker, image: StepImage): Promise<boolean> {
  if (!(Date.parse(image.Created ?? '') >= steps.started) || tracker.fromCache(image.Id)) return false;
  return !image.Container || (await ownedStep(gw, steps, image.Container)) !== undefined;
}

/** A build's step reads: what each step wrote, and the step containers found the learner's (to remove as it ends). */
interface BuildSteps {
  started: number;
  containers: Map<string, Promise<StepContainer | undefined>>;
  recorder: StepRecorder;
}

function stepRecorder(gw: BuildContext, started: number): BuildSteps {
  const containers = new Map<string, Promise<StepContainer | undefined>>();
  const owned = (ref: string) => ownedStep(gw, { started, containers }, ref);
  return { started, containers, recorder: new StepRecorder(gw.engine, gw.options.learnerId, owned, (info) => gw.own.isBaseImage(info), started) };
}

/** The step's container if the learner's build ran it, asked once per reference. */
function ownedStep(gw: BuildContext, steps: Pick<BuildSteps, 'started' | 'containers'>, ref: string): Promise<StepContainer | undefined> {
  if (!steps.containers.has(ref)) steps.containers.set(ref, builtHere(gw, ref, gw.options.buildCgroupParent, steps.started));
  return steps.containers.get(ref)!;
}

/** The step's container when this learner's build ran it (our cgroup parent for their builds; without one, made during this build). */
async function builtHere(gw: BuildContext, ref: string, cgroup: string | undefined, started: number): Promise<StepContainer | undefined> {
  const answer = await gw.engine.json('GET', `/containers/${ref}/json`).catch(() => undefined);
  const info = answer?.status === 200 ? (answer.body as { Id: string; Created?: string; HostConfig?: { CgroupParent?: string }; State?: { StartedAt?: string } }) : undefined;
  if (!info) return undefined;
  const ours = cgroup ? info.HostConfig?.CgroupParent === cgroup : Date.parse(info.Created ?? '') >= started;
  // The engine's zero time for a container it never started.
  return ours ? { id: info.Id, started: !(info.State?.StartedAt ?? '').startsWith('0001-') } : undefined;
}

/**
 * Each stage's image id by index ('' for a stage that has none: FROM scratch with no instruction,
 * or FROM such a stage), matched with the engine's stage results in order; none at all when their
 * count is not the count of stages with an image (then grading cannot compare, and says so).
 */
export function stageImagesOf(dockerfile: string, target: string | undefined, results: string[]): string[] {
  const all = stagesOf(dockerfile);
  const named = target === undefined ? -1 : all.findIndex((stage) => stage.name === target);
  const built = all.slice(0, named === -1 ? all.length : named + 1);
  const hasImage: boolean[] = [];
  built.forEach((stage, i) => {
    const from = stage.from.toLowerCase();
    const earlier = built.slice(0, i).findIndex((s) => s.name === from);
    const baseHasImage = from === 'scratch' ? false : earlier === -1 ? true : hasImage[earlier]!;
    hasImage.push(baseHasImage || stage.instructions.length > 0);
  });
  if (hasImage.filter(Boolean).length !== results.length) return [];
  let next = 0;
  return hasImage.map((has) => (has ? results[next++]! : ''));
}

/** FROM and COPY --from: the learner's own images and the base images; a missing image is named as such. */
async function mapFromImage(gw: BuildContext, reference: string, held: string[]): Promise<Result<string>> {
  const image = await gw.own.image(reference, 'read');
  // The learner's own image by its id (held until the build ends): a name could be moved to another
  // image, or removed, while the build runs, and the engine would then pull that name from a
  // registry. A bare 64-hex id is never pulled: the engine's reference parser refuses it as a name.
  if (image.ok && !image.value.base) {
    held.push(image.value.info.Id);
    return { ok: true, value: image.value.info.Id.replace(/^sha256:/, '') };
  }
  if (image.ok) return { ok: true, value: image.value.engineRef };
  const normal = normalise(reference);
  // A docs-profile base image not pulled yet: the engine may pull exactly that one.
  if (normal && gw.options.pullable.includes(normal)) return { ok: true, value: normal };
  if (image.error.code !== 'not_found') return image;
  return refuse('not_found', `the image ${reference} does not exist in your lab: build it first, or start FROM a course base image (${gw.options.base.repositories.concat(gw.options.base.refs).join(', ')})`, 404);
}

function expectLater(res: Exchange['res'], result: { ok: false; error: { status: number; message: string } }): void {
  if (res.headersSent) return;
  res.writeHead(result.error.status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ message: result.error.message }));
}

