import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeBuildCgroup } from './build-cgroup.ts';

describe('removeBuildCgroup', () => {
  it('removes the learner\'s build cgroup from every v1 hierarchy the engine made it in, and only theirs', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cgroup-'));
    for (const hierarchy of ['pids', 'cpu', 'memory']) {
      for (const learner of ['aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb']) fs.mkdirSync(path.join(root, hierarchy, 'stagecraft-builds', learner), { recursive: true });
    }
    removeBuildCgroup('aaaaaaaaaaaaaaaaaaaa', root);
    for (const hierarchy of ['pids', 'cpu', 'memory']) {
      expect(fs.readdirSync(path.join(root, hierarchy, 'stagecraft-builds'))).toEqual(['bbbbbbbbbbbbbbbbbbbb']);
    }
    fs.rmSync(root, { recursive: true });
  });

  it('on cgroup v2, removes it from the one hierarchy', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cgroup-'));
    fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'cpu pids');
    fs.mkdirSync(path.join(root, 'stagecraft-builds', 'aaaaaaaaaaaaaaaaaaaa'), { recursive: true });
    removeBuildCgroup('aaaaaaaaaaaaaaaaaaaa', root);
    expect(fs.readdirSync(path.join(root, 'stagecraft-builds'))).toEqual([]);
    fs.rmSync(root, { recursive: true });
  });
});
