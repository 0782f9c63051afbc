// What each step of an image wrote, read from the engine's export of the image (GET
// /images/{id}/get): each step that changed files has a layer of its own, listing every path it
// wrote (links followed, as the step wrote them) and a whiteout for each it deleted. This is for
// steps the gateway did not see run: the build cache gave an image made before the lab recorded
// steps, or by another server of this engine. Slow (the export holds the base image's layers too,
// hundreds of MB), so the answer goes into the store and is read once per image.
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { systemWrites, type Change } from '../grading/index.ts';

/** An export that takes longer than this is given up (the check then says it could not judge). */
const EXPORT_MS = 120_000;

interface Exported {
  /** The paths each layer holds, by its file in the export (`<dir>/layer.tar`). */
  layers: Map<string, Change[]>;
  manifest?: { Config: string; Layers: string[] }[];
  configs: Map<string, { history?: { empty_layer?: boolean }[] }>;
}

/**
 * What each step of the image above its base wrote in the system's folders, by step image id
 * (newest first), or undefined when its history does not reach a base image (`isBase`) or the
 * export does not match it.
 */
export async function layerWrites(docker: Docker, imageId: string, isBase: (id: string) => Promise<boolean>): Promise<{ id: string; writes: string[] }[] | undefined> {
  const history = (await docker.getImage(imageId).history()) as { Id: string }[];
  let above = 0;
  while (above < history.length && !(history[above]!.Id !== '<missing>' && (await isBase(history[above]!.Id)))) above++;
  if (above === history.length) return undefined;
  if (above === 0) return [];
  const exported = await readExport(await docker.getImage(imageId).get() as unknown as Readable);
  const entry = exported.manifest?.[0];
  const config = entry && exported.configs.get(entry.Config);
  if (!entry || !config?.history || config.history.length !== history.length) return undefined;
  // Oldest first in the export: each entry that is not empty_layer has the next layer.
  let next = 0;
  const ownLayer = config.history.map((step) => (step.empty_layer ? undefined : entry.Layers[next++]));
  if (next !== entry.Layers.length) return undefined;
  const newestFirst = ownLayer.reverse();
  return history.slice(0, above).map((step, at) => {
    const layer = newestFirst[at];
    return { id: step.Id, writes: layer === undefined ? [] : systemWrites(exported.layers.get(layer) ?? []) };
  });
}

/** The export's manifest, configs and, for each layer, the paths it holds as changes. */
function readExport(stream: Readable): Promise<Exported> {
  const exported: Exported = { layers: new Map(), configs: new Map() };
  const outer = tar.extract();
  return new Promise((resolve, reject: (error: unknown) => void) => {
    const fail = (error: unknown) => { clearTimeout(timer); stream.destroy(); reject(error); };
    const timer = setTimeout(() => fail(new Error('the image export took too long')), EXPORT_MS);
    outer.on('entry', (header, entry, next) => {
      const done = (error?: unknown) => (error ? fail(error) : next());
      if (header.name.endsWith('/layer.tar')) {
        const changes: Change[] = [];
        const inner = tar.extract();
        inner.on('entry', (file, body, nextFile) => {
          changes.push(change(file.name, file.type === 'directory'));
          body.on('end', nextFile);
          body.resume();
        });
        inner.on('finish', () => { exported.layers.set(header.name, changes); done(); });
        inner.on('error', done);
        entry.pipe(inner);
        return;
      }
      if (header.name === 'manifest.json' || /^[0-9a-f]{64}\.json$/.test(header.name)) {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
        entry.on('end', () => {
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
            if (header.name === 'manifest.json') exported.manifest = parsed as Exported['manifest'];
            else exported.configs.set(header.name, parsed as { history?: { empty_layer?: boolean }[] });
            done();
          } catch (error) {
            done(error);
          }
        });
        return;
      }
      entry.on('end', () => next());
      entry.resume();
    });
    outer.on('finish', () => { clearTimeout(timer); resolve(exported); });
    outer.on('error', fail);
    stream.on('error', fail);
    stream.pipe(outer);
  });
}

/**
 * A layer's entry as the engine would list the step's change: a whiteout (.wh.name) deleted that
 * name, an opaque marker replaced its folder's content, and a folder is listed for every file
 * written inside it (so it counts as changed, not added: only a folder with nothing listed inside is a write).
 */
export function change(name: string, isFolder: boolean): Change {
  const path = `/${name.replace(/^\.?\/+/, '').replace(/\/+$/, '')}`;
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  if (base === '.wh..wh..opq') return { Path: path.slice(0, slash) || '/', Kind: 1 };
  if (base.startsWith('.wh.')) return { Path: `${path.slice(0, slash)}/${base.slice(4)}`, Kind: 2 };
  return { Path: path, Kind: isFolder ? 0 : 1 };
}
