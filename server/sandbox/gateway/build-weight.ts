// The image quota while a build runs. It is checked before a build starts, but the classic builder
// commits one layer per step: four steps of 800 MB each made a 3.36 GB image under a 2 GiB quota,
// and eight steps of 15,000 empty files an image of 120,298 files under a 20,000 files quota. So
// each image a step of this build makes is weighed as the engine prints it: the bytes its layer
// added (its size less its parent's) and, for an engine on this host, the files in that layer. The
// build is stopped once its layers, with what the learner held when it began, pass either quota;
// the images it made are then removed.
import { LayerFiles } from '../layer-files.ts';
import type { Held } from './quota.ts';
import type { StepImage } from './step-writes.ts';

export type Passed = { quota: 'bytes' | 'files'; added: number };

export class BuildWeight {
  readonly #allowed: Held;
  readonly #started: number;
  readonly #image: (ref: string) => Promise<StepImage | undefined>;
  readonly #layerFiles: LayerFiles | undefined;
  readonly #onPassed: (passed: Passed) => void;
  /** Each image this build made, by id, and what its layer added, in the order they came. */
  readonly added = new Map<string, Held>();
  #passed = false;

  /**
   * `allowed`: bytes and files the build may add (the quotas less what the learner held as it
   * began); `image`: the engine's description of an image; `layerFiles`: counts a layer's files
   * (none: files are not weighed); `onPassed`: called once, when the build passes either.
   */
  constructor(allowed: Held, started: number, image: (ref: string) => Promise<StepImage | undefined>, layerFiles: LayerFiles | undefined, onPassed: (passed: Passed) => void) {
    this.#allowed = allowed;
    this.#started = started;
    this.#image = image;
    this.#layerFiles = layerFiles;
    this.#onPassed = onPassed;
  }

  /** Weighs the image a step printed; an image from the cache (made before this build) adds nothing. */
  async step(ref: string): Promise<void> {
    const image = await this.#image(ref);
    if (!image || this.added.has(image.Id) || !(Date.parse(image.Created ?? '') >= this.#started)) return;
    const parent = image.Parent ? await this.#image(image.Parent) : undefined;
    // A step that wrote nothing (ENV, LABEL) shares its parent's top layer: it adds no files.
    const [layer] = LayerFiles.of(image);
    const newLayer = layer !== undefined && layer !== (parent ? LayerFiles.of(parent)[0] : undefined);
    const files = newLayer && this.#layerFiles ? await this.#layerFiles.count([layer]) : 0;
    this.added.set(image.Id, { bytes: Math.max(0, (image.Size ?? 0) - (parent?.Size ?? 0)), files });
    const total = (key: keyof Held) => [...this.added.values()].reduce((sum, weight) => sum + weight[key], 0);
    if (this.#passed) return;
    const passed: Passed | undefined = total('bytes') > this.#allowed.bytes ? { quota: 'bytes', added: total('bytes') }
      : total('files') > this.#allowed.files ? { quota: 'files', added: total('files') } : undefined;
    if (!passed) return;
    this.#passed = true;
    this.#onPassed(passed);
  }
}
