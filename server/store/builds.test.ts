import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './index.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'builds-'));
let store: Store;
afterEach(() => store?.close());
const ENGINE = 'unix:///var/run/docker.sock';
const start = (learnerId: string) => ({ learnerId, engine: ENGINE, dockerfileName: 'Dockerfile.multi', dockerfile: 'FROM a AS build\nFROM scratch\n', plan: { stages: [{ index: 0, name: 'build' }] }, tags: ['hello-world-small'] });

describe('build records', () => {
  it('tie every image a build made to its learner, across a restart', () => {
    const file = path.join(dir, 'restart.db');
    store = openStore(file);
    const { learnerId } = store.createLearner();
    const other = store.createLearner().learnerId;
    const id = store.startBuild(start(learnerId), 1000);
    store.finishBuild(id, { outcome: 'built', imageId: 'sha256:final', images: [{ id: 'sha256:final', role: 'final' }, { id: 'sha256:stage', role: 'stage' }], log: 'Successfully built' }, 2000);
    store.close();
    store = openStore(file);
    expect(store.builtImage(learnerId, ENGINE, 'sha256:stage')).toBe(true);
    expect(store.builtImage(other, ENGINE, 'sha256:stage')).toBe(false);
    expect(store.builtImage(learnerId, 'unix:///other.sock', 'sha256:stage')).toBe(false);
    expect(store.builtImages(learnerId, ENGINE).sort()).toEqual(['sha256:final', 'sha256:stage']);
  });

  it('keep what each step wrote by its image and policy, for every learner of the engine, the first record standing', () => {
    store = openStore(path.join(dir, 'writes.db'));
    const { learnerId } = store.createLearner();
    const other = store.createLearner().learnerId;
    const id = store.startBuild(start(learnerId), 1000);
    store.finishBuild(id, { outcome: 'built', imageId: 'sha256:final', images: [{ id: 'sha256:final', role: 'final' }], steps: [{ id: 'sha256:run', writes: ['/usr/local/bin/gcc'], policy: 2 }, { id: 'sha256:copy', writes: [], policy: 2 }], log: '' }, 2000);
    const again = store.startBuild(start(other), 3000);
    store.finishBuild(again, { outcome: 'built', images: [], steps: [{ id: 'sha256:run', writes: [], policy: 2 }], log: '' }, 4000);
    expect(store.stepWrites(ENGINE, 'sha256:run', 2)).toEqual(['/usr/local/bin/gcc']);
    expect(store.stepWrites(ENGINE, 'sha256:copy', 2)).toEqual([]);
    expect(store.stepWrites(ENGINE, 'sha256:never', 2)).toBeUndefined();
    expect(store.stepWrites('unix:///other.sock', 'sha256:run', 2)).toBeUndefined();
    // A record made under another version of what counts as a write is not read: the layer is, and kept beside it.
    expect(store.stepWrites(ENGINE, 'sha256:run', 3)).toBeUndefined();
    store.recordStepWrites(ENGINE, [{ id: 'sha256:run', writes: [], policy: 3 }]);
    expect(store.stepWrites(ENGINE, 'sha256:run', 3)).toEqual([]);
  });

  it('keep the provenance of an image, with tags given later', () => {
    store = openStore(path.join(dir, 'provenance.db'));
    const { learnerId } = store.createLearner();
    const id = store.startBuild(start(learnerId), 1000);
    store.finishBuild(id, { outcome: 'built', imageId: 'sha256:final', images: [{ id: 'sha256:final', role: 'final' }], log: 'x'.repeat(20_000) }, 2000);
    store.recordTag(learnerId, ENGINE, 'sha256:final', 'renamed:latest', 3000);
    const row = store.buildOfImage(learnerId, ENGINE, 'sha256:final');
    expect(row).toMatchObject({ id, dockerfileName: 'Dockerfile.multi', outcome: 'built', tags: ['hello-world-small'], laterTags: ['renamed:latest'], plan: { stages: [{ index: 0, name: 'build' }] } });
    expect(row!.log.length).toBe(8192);
  });

  it('keep what the end of a build adds to its plan (each stage\'s image)', () => {
    store = openStore(path.join(dir, 'plan.db'));
    const { learnerId } = store.createLearner();
    const id = store.startBuild(start(learnerId), 1000);
    const plan = { stages: [{ index: 0, name: 'build' }], stageImages: ['sha256:stage', 'sha256:final'] };
    store.finishBuild(id, { outcome: 'built', imageId: 'sha256:final', images: [{ id: 'sha256:final', role: 'final' }], log: '', plan }, 2000);
    expect(store.buildOfImage(learnerId, ENGINE, 'sha256:final')!.plan).toEqual(plan);
  });

  it('mark builds cut by a server stop as interrupted, and never finish one twice', () => {
    store = openStore(path.join(dir, 'interrupted.db'));
    const { learnerId } = store.createLearner();
    const cut = store.startBuild(start(learnerId));
    expect(store.interruptRunningBuilds()).toBe(1);
    store.finishBuild(cut, { outcome: 'built', imageId: 'sha256:late', images: [], log: '' });
    expect(store.buildOfImage(learnerId, ENGINE, 'sha256:late')).toBeUndefined();
  });
});
