// The image quota while a build runs. It is checked before a build starts, but the classic builder
// commits one layer per step: four steps of 800 MB each made a 3.36 GB image under a 2 GiB quota,
// and eight steps of 15,000 empty files an image of 120,298 files under a 20,000 files quota. So
// each image a step of this build gives is weighed as the engine prints it: the bytes its layer
// added (its size less its parent's) and, for an engine on this host, the files in that layer. A
// step the build cache answers weighs the same, unless the learner already pays for that image:
// the cache is shared, and another learner's layers become this one's (1.7x the quota in one build).
// The build is stopped once its layers, with what the learner held when it began, pass either
// quota; the images it made are then removed (those from the cache are left to their owners).
import { LayerFiles } from '../layer-files.ts';
import type { Held } from './quota.ts';
import type { StepImage } from './step-writes.ts';

export type Passed = { quota: 'bytes' | 'files'; added: number };

export interface BuildWeightOptions {
  /** Bytes and files the build may add: the quotas less what the learner held as it began. */
  allowed: Held;
  /** Whether this build made the image (not the cache, not someone else's build meanwhile). */
  madeHere: (image: StepImage) => Promise<boolean>;
  /** The engine's description of an image. */
  image: (ref: string) => Promise<StepImage | undefined>;
  /** Counts a layer's files; without it, files are not weighed (an engine on another host). */
  layerFiles: LayerFiles | undefined;
  /** Images the learner already pays for (Quota.paidFor). */
  paid: ReadonlySet<string>;
  /** Whether an image is one of the course's base images (a FROM line prints it): never weighed. */
  isBase: (image: StepImage) => boolean;
}

export class BuildWeight {
  readonly #options: BuildWeightOptions;
  readonly #onPassed: (passed: Passed) => void;
  /** Each image this build weighed, by id, and what its layer added. */
  readonly #added = new Map<string, Held>();
  /** The images this build made (not the cache's), in the order they came. */
  readonly made: string[] = [];
  #passed = false;

  /** `onPassed`: called once, when the build passes either quota. */
  constructor(options: BuildWeightOptions, onPassed: (passed: Passed) => void) {
    this.#options = options;
    this.#onPassed = onPassed;
  }

  /** Weighs the image a step printed, unless the learner already pays for it. */
  async step(ref: string): Promise<void> {
    const { allowed, madeHere, layerFiles, paid, isBase } = this.#options;
    const image = await this.#options.image(ref);
    if (!image || this.#added.has(image.Id) || paid.has(image.Id) || isBase(image)) return;
    // Claimed before the awaits below: the same image printed twice is weighed once.
    this.#added.set(image.Id, { bytes: 0, files: 0 });
    if (await madeHere(image)) this.made.push(image.Id);
    const parent = image.Parent ? await this.#options.image(image.Parent) : undefined;
    // A step that wrote nothing (ENV, LABEL) shares its parent's top layer: it adds no files.
    const [layer] = LayerFiles.of(image);
    const newLayer = layer !== undefined && layer !== (parent ? LayerFiles.of(parent)[0] : undefined);
    const files = newLayer && layerFiles ? await layerFiles.count([layer]) : 0;
    this.#added.set(image.Id, { bytes: Math.max(0, (image.Size ?? 0) - (parent?.Size ?? 0)), files });
    const total = (key: keyof Held) => [...this.#added.values()].reduce((sum, weight) => sum + weight[key], 0);
    if (this.#passed) return;
    const passed: Passed | undefined = total('bytes') > allowed.bytes ? { quota: 'bytes', added: total('bytes') }
      : total('files') > allowed.files ? { quota: 'files', added: total('files') } : undefined;
    if (!passed) return;
    this.#passed = true;
    this.#onPassed(passed);
  }
}
