// Per-learner quotas, enforced by accounting (overlay2 on ext4 has no per-container size limit):
// container and image counts, the bytes a learner's images add to the base images, and the files
// their layers hold.
import { LayerFiles, type LayeredImage } from '../layer-files.ts';
import { LABELS, LIMITS, type Quotas } from '../policy.ts';
import type { EngineClient } from './engine.ts';
import type { BaseImages } from './names.ts';
import type { ContainerInfo, ImageInfo, Ownership } from './ownership.ts';
import { refuse, type Result } from './police.ts';

interface Inspected extends LayeredImage { Id: string; Size: number; Parent?: string; RepoTags?: string[] | null; RootFS?: { Layers?: string[] } }

/** What a learner holds now: bytes of images and container writes, and files in their images' layers. */
export interface Held { bytes: number; files: number }

/** Parents remembered per image id (an image's parent never changes), at most this many. */
const PARENTS_KEPT = 5_000;
/** Recorded images looked at per check, newest first: enough for any lesson, bounded for a flood of builds. */
const RECORDED_LOOKED_AT = 400;

export class Quota {
  readonly #engine: EngineClient;
  readonly #own: Ownership;
  readonly #base: BaseImages;
  readonly limits: Quotas;
  /** Builds running now for this learner. */
  builds = 0;
  /** The learner's last build's records and removals (a stopped build's images take seconds to go). */
  settling: Promise<void> = Promise.resolve();

  readonly #recorded: () => string[];
  readonly #parents = new Map<string, string>();
  readonly #layerFiles: LayerFiles | undefined;

  /**
   * `recorded`: the images the learner's builds made, as the gateway recorded them; `layerFiles`:
   * counts the files of layers (an engine on this host), else image files are not counted.
   */
  constructor(engine: EngineClient, own: Ownership, base: BaseImages, limits: Quotas, recorded: () => string[] = () => [], layerFiles?: LayerFiles) {
    this.#engine = engine;
    this.#own = own;
    this.#base = base;
    this.limits = limits;
    this.#recorded = recorded;
    this.#layerFiles = layerFiles;
  }

  async checkContainers(): Promise<Result<void>> {
    const count = (await this.#own.containers()).length;
    if (count >= LIMITS.maxContainers) {
      return refuse('quota_containers', `you have ${count} containers, the most this lab allows: remove stopped ones with docker container prune (docker ps -a lists them)`);
    }
    return { ok: true, value: undefined };
  }

  /** Whether `adding` more image names still fit the quotas; what the learner holds now, if so. */
  async checkImages(adding = 1): Promise<Result<Held>> {
    const [images, containers] = await Promise.all([this.#images(), this.#own.containers(true)]);
    // Each name counts, as `docker images` lists it: tags of one image are so many images to the learner.
    const count = images.reduce((sum, image) => sum + Math.max(1, (image.RepoTags ?? []).filter((t) => this.#own.ownsTag(t)).length), 0);
    if (count + adding > LIMITS.maxImages) {
      return refuse('quota_images', `you have ${count} images, the most this lab allows: remove some with docker image rm or docker image prune -a`);
    }
    return this.#checkBytes(images, containers);
  }

  /**
   * Whether the learner's image data plus container writes is still under the quota. Asked before a
   * container is created or started too, not only before a build or tag: twenty containers that each
   * write just under the disk quota would otherwise hold twenty times it.
   */
  async checkBytes(): Promise<Result<Held>> {
    const [images, containers] = await Promise.all([this.#images(), this.#own.containers(true)]);
    return this.#checkBytes(images, containers);
  }

  /**
   * The images the learner pays for now, with every image under them (their parent chains): a build
   * step the cache answers with one of these adds nothing to what they hold.
   */
  async paidFor(): Promise<Set<string>> {
    const paid = new Set<string>();
    for (const image of await this.#images()) {
      paid.add(image.Id);
      for (const id of await this.#ancestors(image.Id)) paid.add(id);
    }
    return paid;
  }

  /**
   * The learner's images, asked of the engine by what makes them theirs: the label every build of
   * theirs carries, and their names on the base images (`docker tag stagecraft/runtime t1`). Never
   * the engine's whole list, which grows with every learner's images: one learner's huge labels
   * must not make everyone's quota check too large to read.
   */
  async #images(): Promise<ImageInfo[]> {
    const list = async (filters: Record<string, string[]>) => {
      const answer = await this.#engine.json('GET', '/images/json', new URLSearchParams({ filters: JSON.stringify(filters) }));
      // Not a bug of ours, but a quota check must never pass on a list it could not read: the learner gets a 500.
      if (answer.status !== 200 || !Array.isArray(answer.body)) throw new Error(`the engine's image list answered ${answer.status}`);
      return answer.body as ImageInfo[];
    };
    const label = this.#own.containerLabels.filter((l) => l.startsWith(`${LABELS.learner}=`));
    const references = [...this.#base.refs, ...this.#base.repositories];
    // An empty filter would list every image of the engine.
    // The stage images held for the learner's builds count in full, however many builds they have made.
    const [built, bases, held] = await Promise.all([list({ label }), references.length > 0 ? list({ reference: references }) : [], list({ reference: [this.#own.holdsFilter] })]);
    // Filtered by reference, the engine lists only the matching tags: inspect the few base images for all of them.
    const inspected = await Promise.all(bases.map((b) => this.#engine.json('GET', `/images/${b.Id}/json`)));
    const tagged = inspected.filter((a) => a.status === 200).map((a) => a.body as ImageInfo);
    const byId = new Map([...built, ...tagged, ...held].map((image) => [image.Id, image]));
    // What only the build records make theirs: earlier stages' results and failed builds' leftovers,
    // which carry no label. One that an image above already contains (its ancestor) is not counted twice.
    const extra: ImageInfo[] = [];
    for (const id of this.#recorded().slice(-RECORDED_LOOKED_AT)) {
      if (byId.has(id)) continue;
      const found = await this.#inspect(id);
      // One named by someone else (their build's cache) is theirs; the gateway's holds for this learner keep it theirs.
      if (found && !(found.RepoTags ?? []).some((t) => !this.#own.ownsTag(t) && !this.#own.holdsForLearner(t))) extra.push({ Id: found.Id, RepoTags: found.RepoTags ?? [], Size: found.Size });
    }
    const counted = [...byId.values()].filter((image) => this.#own.ownsImage(image) || (image.RepoTags ?? []).some((t) => this.#own.holdsForLearner(t)));
    const ancestors = new Set<string>();
    for (const image of [...counted, ...extra]) for (const id of await this.#ancestors(image.Id)) ancestors.add(id);
    return [...counted, ...extra.filter((image) => !ancestors.has(image.Id))];
  }

  /** The image's parent chain (the classic builder's step images), remembered per id. */
  async #ancestors(id: string): Promise<string[]> {
    const chain: string[] = [];
    let current = id;
    for (let hops = 0; hops < 64; hops++) {
      let parent = this.#parents.get(current);
      if (parent === undefined) {
        parent = (await this.#inspect(current))?.Parent ?? '';
        if (this.#parents.size >= PARENTS_KEPT) this.#parents.clear();
        this.#parents.set(current, parent);
      }
      if (!parent) break;
      chain.push(parent);
      current = parent;
    }
    return chain;
  }

  async #checkBytes(images: ImageInfo[], containers: ContainerInfo[]): Promise<Result<Held>> {
    const [inspected, bases] = await Promise.all([this.#inspectAll(images), this.#baseImages()]);
    const bytes = bytesAdded(inspected, bases) + containers.reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);
    if (bytes >= this.limits.imageBytes) {
      return refuse('quota_image_bytes', `your images and containers take ${mb(bytes)} MB, the most this lab allows is ${mb(this.limits.imageBytes)} MB: ${FREE_SPACE}`);
    }
    const files = await this.#filesAdded(inspected, bases);
    if (files >= this.limits.diskFiles) {
      return refuse('quota_files', `your images hold ${files} files and folders, the most this lab allows is ${this.limits.diskFiles}: ${FREE_SPACE}`);
    }
    return { ok: true, value: { bytes, files } };
  }

  /** Bytes the learner's images add on top of the base image each one starts from. */
  async imageBytes(images: ImageInfo[]): Promise<number> {
    const [inspected, bases] = await Promise.all([this.#inspectAll(images), this.#baseImages()]);
    return bytesAdded(inspected, bases);
  }

  /** Files in the layers of the learner's images that no base image has, each layer counted once. */
  async #filesAdded(images: Inspected[], bases: Inspected[]): Promise<number> {
    if (!this.#layerFiles) return 0;
    const ofBases = new Set(bases.flatMap((b) => LayerFiles.of(b)));
    return this.#layerFiles.count(images.flatMap((image) => LayerFiles.of(image)).filter((folder) => !ofBases.has(folder)));
  }

  async #inspectAll(images: ImageInfo[]): Promise<Inspected[]> {
    const found = await Promise.all(images.map((image) => this.#inspect(image.Id)));
    return found.filter((image): image is Inspected => image !== undefined);
  }

  async #baseImages(): Promise<Inspected[]> {
    const refs = [...this.#base.refs, ...this.#base.repositories.map((r) => `${r}:latest`)];
    const found = await Promise.all(refs.map((ref) => this.#inspect(ref)));
    return found.filter((b): b is Inspected => b !== undefined);
  }

  async #inspect(reference: string): Promise<Inspected | undefined> {
    const answer = await this.#engine.json('GET', `/images/${reference}/json`);
    return answer.status === 200 ? (answer.body as Inspected) : undefined;
  }
}

/** What the images add on top of the base image each one starts from: its bytes are the course's. */
function bytesAdded(images: Inspected[], bases: Inspected[]): number {
  let total = 0;
  for (const image of images) {
    const layers = image.RootFS?.Layers ?? [];
    const base = bases.filter((b) => (b.RootFS?.Layers ?? []).every((layer, i) => layers[i] === layer))
      .reduce((largest, b) => Math.max(largest, b.Size), 0);
    total += Math.max(0, image.Size - base);
  }
  return total;
}

export const mb = (bytes: number) => Math.round(bytes / 1e6);
/** How a learner frees image space. */
export const FREE_SPACE = 'remove some with docker image prune -a and docker container prune';
