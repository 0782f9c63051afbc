// The image quota while a build runs. It is checked before a build starts, but the classic builder
// commits one layer per step: four steps of 800 MB each made a 3.36 GB image under a 2 GiB quota.
// So each image a step of this build makes is weighed as the engine prints it (its size less its
// parent's: the layer it added), and the build is stopped once those layers, with what the learner
// held when it began, pass the quota; the images it made are then removed.
import type { StepImage } from './step-writes.ts';

export class BuildBytes {
  readonly #allowed: number;
  readonly #started: number;
  readonly #image: (ref: string) => Promise<StepImage | undefined>;
  readonly #onPassed: (added: number) => void;
  /** Each image this build made, by id, and the bytes its layer added, in the order they came. */
  readonly added = new Map<string, number>();
  #passed = false;

  /**
   * `allowed`: bytes the build may add (the quota less what the learner held as it began);
   * `image`: the engine's description of an image; `onPassed`: called once, when the build passes it.
   */
  constructor(allowed: number, started: number, image: (ref: string) => Promise<StepImage | undefined>, onPassed: (added: number) => void) {
    this.#allowed = allowed;
    this.#started = started;
    this.#image = image;
    this.#onPassed = onPassed;
  }

  /** Weighs the image a step printed; an image from the cache (made before this build) adds nothing. */
  async step(ref: string): Promise<void> {
    const image = await this.#image(ref);
    if (!image || this.added.has(image.Id) || !(Date.parse(image.Created ?? '') >= this.#started)) return;
    const parent = image.Parent ? await this.#image(image.Parent) : undefined;
    this.added.set(image.Id, Math.max(0, (image.Size ?? 0) - (parent?.Size ?? 0)));
    const total = [...this.added.values()].reduce((sum, bytes) => sum + bytes, 0);
    if (total > this.#allowed && !this.#passed) {
      this.#passed = true;
      this.#onPassed(total);
    }
  }
}
