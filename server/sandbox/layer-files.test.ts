import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LayerFiles } from './layer-files.ts';

const made: string[] = [];
afterAll(async () => { for (const folder of made) await fs.rm(folder, { recursive: true, force: true }); });

async function layerOf(files: number): Promise<string> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'layer-'));
  made.push(folder);
  for (let i = 0; i < files; i++) await fs.writeFile(path.join(folder, `f${i}`), '');
  return folder;
}

describe('LayerFiles', () => {
  it('reads an overlay2 image\'s layer folders, its own first, and none of another driver', () => {
    const image = { GraphDriver: { Name: 'overlay2', Data: { UpperDir: '/d/top/diff', LowerDir: '/d/b/diff:/d/a/diff', MergedDir: '/d/top/merged' } } };
    expect(LayerFiles.of(image)).toEqual(['/d/top/diff', '/d/b/diff', '/d/a/diff']);
    expect(LayerFiles.of({ GraphDriver: { Name: 'overlay2', Data: { UpperDir: '/d/only/diff' } } })).toEqual(['/d/only/diff']);
    expect(LayerFiles.of({ GraphDriver: { Name: 'vfs', Data: { UpperDir: '/x' } } })).toEqual([]);
    expect(LayerFiles.of({})).toEqual([]);
  });

  it('counts each layer once, with the folder itself, and remembers it: a layer never changes', async () => {
    const [a, b] = [await layerOf(3), await layerOf(5)];
    const layers = new LayerFiles();
    expect(await layers.count([a, b, a])).toBe(4 + 6);
    await fs.writeFile(path.join(a, 'later'), ''); // not a layer any more: the count is the one taken
    expect(await layers.count([a])).toBe(4);
    expect(await new LayerFiles().count([a])).toBe(5);
  });

  it('counts a folder that is gone as nothing, and asks again next time', async () => {
    const layers = new LayerFiles();
    const gone = path.join(os.tmpdir(), 'layer-never-made');
    expect(await layers.count([gone])).toBe(0);
    await fs.mkdir(gone);
    made.push(gone);
    expect(await layers.count([gone])).toBe(1);
  });
});
