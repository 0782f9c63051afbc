// Files in image layers. The engine tells an image's bytes, not its files, and a layer of a hundred
// thousand empty files weighs nothing in bytes while the engine's disk runs out of inodes. So each
// layer's folder on the engine's disk (overlay2's diff folder) is counted with `du --inodes`, once:
// a layer never changes. Only for an engine on this host, whose folders the server can read.
import { du } from './du.ts';

/** What the engine's inspect of an image says of where its layers are. */
export interface LayeredImage {
  GraphDriver?: { Name?: string; Data?: Record<string, string> | null };
}

/** Layers remembered; past this the memory starts again (they are counted anew when asked). */
const LAYERS_KEPT = 50_000;

export class LayerFiles {
  readonly #counted = new Map<string, number>();

  /** The image's layer folders, its own (top) layer first; none for a driver other than overlay2. */
  static of(image: LayeredImage): string[] {
    const data = image.GraphDriver?.Name === 'overlay2' ? image.GraphDriver.Data : undefined;
    if (!data) return [];
    return [data.UpperDir, ...(data.LowerDir ?? '').split(':')].filter((folder): folder is string => !!folder);
  }

  /** Files in these layer folders together, each counted once. */
  async count(folders: Iterable<string>): Promise<number> {
    const distinct = [...new Set(folders)];
    const unknown = distinct.filter((folder) => !this.#counted.has(folder));
    if (unknown.length > 0) {
      const { sizes } = await du(unknown, '--inodes');
      if (this.#counted.size + sizes.size > LAYERS_KEPT) this.#counted.clear();
      for (const [folder, files] of sizes) this.#counted.set(folder, files);
      // A folder du could not read (removed meanwhile) counts nothing now and is asked again next time.
      return distinct.reduce((sum, folder) => sum + (this.#counted.get(folder) ?? sizes.get(folder) ?? 0), 0);
    }
    return distinct.reduce((sum, folder) => sum + this.#counted.get(folder)!, 0);
  }
}
