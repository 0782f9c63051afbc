// A layer's entries read as the engine lists a step's changes: whiteouts are deletions, an opaque
// marker replaces its folder, and a folder is a parent of what was written in it.
import { describe, expect, it } from 'vitest';
import { systemWrites } from '../grading/index.ts';
import { change } from './layer-writes.ts';

describe('change', () => {
  it('reads whiteouts, opaque folders, folders and files', () => {
    expect(change('usr/local/bin/.wh.gcc', false)).toEqual({ Path: '/usr/local/bin/gcc', Kind: 2 });
    expect(change('bin/.wh..wh..opq', false)).toEqual({ Path: '/bin', Kind: 1 });
    expect(change('usr/local/bin/', true)).toEqual({ Path: '/usr/local/bin', Kind: 0 });
    expect(change('./src/hello', false)).toEqual({ Path: '/src/hello', Kind: 1 });
  });

  it('gives the same writes as the engine\'s changes would, parents left out', () => {
    const layer = [change('usr/', true), change('usr/local/', true), change('usr/local/bin/', true), change('usr/local/bin/g++', false), change('src/', true), change('src/hello', false)];
    expect(systemWrites(layer)).toEqual(['/usr/local/bin/g++']);
    expect(systemWrites([change('bin/.wh..wh..opq', false), change('bin/', true), change('bin/sh', false)])).toEqual(['/bin', '/bin/sh']);
  });
});
