import { describe, expect, it } from 'vitest';
import { Namespace, normalise } from './names.ts';

const ns = new Namespace('0123456789abcdef0123', { refs: ['alpine:3.7'], repositories: ['stagecraft/toolchain'] });

describe('normalise', () => {
  it.each([
    ['hello-world', 'hello-world:latest'],
    ['hello-world:v1', 'hello-world:v1'],
    ['library/alpine:3.7', 'alpine:3.7'],
    ['docker.io/library/alpine', 'alpine:latest'],
    ['a/b/c:1.0', 'a/b/c:1.0'],
  ])('%s is %s', (reference, expected) => {
    expect(normalise(reference)).toBe(expected);
  });

  it.each(['Hello', 'ghcr.io/x/y', 'localhost/x', 'localhost:5000/x', 'x@sha256:abc', '', 'a//b', 'x:', 'x:tag with space'])('refuses %j', (reference) => {
    expect(normalise(reference)).toBeUndefined();
  });
});

describe('Namespace', () => {
  it('puts a learner\'s names under their prefix, and base images nowhere', () => {
    expect(ns.image('hello-world')).toEqual({ ok: true, value: { kind: 'own', engineRef: 'sc-0123456789abcdef0123/hello-world:latest', maybeId: false } });
    expect(ns.image('stagecraft/toolchain:r-abc')).toEqual({ ok: true, value: { kind: 'base', engineRef: 'stagecraft/toolchain:r-abc' } });
    expect(ns.image('alpine:3.7')).toEqual({ ok: true, value: { kind: 'base', engineRef: 'alpine:3.7' } });
    expect(ns.image('alpine:edge')).toMatchObject({ ok: true, value: { kind: 'own' } });
  });

  it('keeps a guessed engine name inside the guesser\'s own namespace', () => {
    expect(ns.image('sc-ffffffffffffffffffff/hello-world')).toMatchObject({ ok: true, value: { engineRef: 'sc-0123456789abcdef0123/sc-ffffffffffffffffffff/hello-world:latest' } });
  });

  it('reads ids as ids, and an all-hex name as a name that may be an id', () => {
    expect(ns.image('sha256:0123abcd')).toEqual({ ok: true, value: { kind: 'id', id: 'sha256:0123abcd' } });
    expect(ns.image('0123abcd')).toMatchObject({ ok: true, value: { kind: 'own', maybeId: true } });
  });

  it('refuses a new name that is a base image', () => {
    expect(ns.newImageName('stagecraft/toolchain')).toMatchObject({ ok: false, error: { code: 'base_image_read_only' } });
    expect(ns.newImageName('alpine:3.7')).toMatchObject({ ok: false, error: { code: 'base_image_read_only' } });
    expect(ns.newImageName('alpine:mine')).toEqual({ ok: true, value: 'sc-0123456789abcdef0123/alpine:mine' });
  });

  it('maps container names and removes its prefixes from engine text', () => {
    expect(ns.containerName('web')).toEqual({ ok: true, value: 'sc-0123456789abcdef0123_web' });
    expect(ns.containerName('../x')).toMatchObject({ ok: false });
    expect(ns.toLearner('No such image: sc-0123456789abcdef0123/x:latest in /sc-0123456789abcdef0123_web')).toBe('No such image: x:latest in /web');
  });
});
