// What the gateway writes over a container create and a build: a bounded tmpfs over each volume the
// image declares, and a cap on labels, in both.
import { describe, expect, it } from 'vitest';
import { forceBuildQuery, forceContainerCreate } from '../../server/sandbox/gateway/forced.ts';
import { LIMITS } from '../../server/sandbox/index.ts';

const tmpfs = (target: string) => ({ Type: 'tmpfs', Target: target, TmpfsOptions: { SizeBytes: LIMITS.imageVolumeBytes } });
const mountsOf = (result: ReturnType<typeof forceContainerCreate>) =>
  result.ok ? (result.value.HostConfig as { Mounts: unknown[] }).Mounts : result.error;

describe('volumes an image declares', () => {
  it('become one tmpfs each, at the path the engine would mount them', () => {
    expect(mountsOf(forceContainerCreate({ Image: 'x' }, 'me', { '/data': {}, '/data/': {}, '/var//log/': {} }))).toEqual([tmpfs('/data'), tmpfs('/var/log')]);
    expect(mountsOf(forceContainerCreate({ Image: 'x' }, 'me', null))).toEqual([]);
  });

  it(`are refused past ${LIMITS.maxImageVolumes}, with a message`, () => {
    const volumes = Object.fromEntries(Array.from({ length: LIMITS.maxImageVolumes + 1 }, (_, i) => [`/v${i}`, {}]));
    expect(mountsOf(forceContainerCreate({ Image: 'x' }, 'me', volumes))).toEqual({
      code: 'setting_forbidden', status: 403,
      message: `Stagecraft: the image declares ${LIMITS.maxImageVolumes + 1} volumes (VOLUME), more than the ${LIMITS.maxImageVolumes} this lab allows: declare fewer in its Dockerfile`,
    });
  });
});

describe('labels', () => {
  const big = { a: 'x'.repeat(LIMITS.labelBytes) };
  const refusal = { code: 'body_too_large', status: 413, message: `Stagecraft: the labels take ${LIMITS.labelBytes + 1} bytes, more than the ${LIMITS.labelBytes / 1024} KiB this lab allows: use fewer or shorter labels` };

  it(`are capped at ${LIMITS.labelBytes / 1024} KiB on a container create`, () => {
    expect(forceContainerCreate({ Image: 'x', Labels: { a: 'x'.repeat(LIMITS.labelBytes - 1) } }, 'me').ok).toBe(true);
    expect(forceContainerCreate({ Image: 'x', Labels: big }, 'me')).toEqual({ ok: false, error: refusal });
  });

  it('and on a build', () => {
    expect(forceBuildQuery(new URLSearchParams({ labels: JSON.stringify(big) }), 'me')).toEqual({ ok: false, error: refusal });
  });
});
