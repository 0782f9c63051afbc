// What a build record says of the engine's stage results: matched to the stages that have an
// image, and nothing built when the stream was cut short.
import { describe, expect, it } from 'vitest';
import { stageImagesOf } from './build.ts';
import { BuildTracker } from './build-tracker.ts';

describe('stageImagesOf', () => {
  it('gives each stage with an image its result, in order', () => {
    expect(stageImagesOf('FROM stagecraft/toolchain AS build\nRUN gcc -v\nFROM stagecraft/runtime\nCOPY --from=build /a /a\n', undefined, ['s0', 's1'])).toEqual(['s0', 's1']);
  });

  it('skips a stage that has no image (FROM scratch and nothing else, or FROM such a stage), so later stages keep their own', () => {
    const dockerfile = 'FROM scratch AS nothing\nFROM nothing AS still\nFROM stagecraft/toolchain AS build\nRUN gcc -v\nFROM build AS pack\nRUN true\nFROM stagecraft/runtime\nCOPY --from=pack /a /a\n';
    expect(stageImagesOf(dockerfile, undefined, ['build', 'pack', 'final'])).toEqual(['', '', 'build', 'pack', 'final']);
  });

  it('stops at the target, and gives nothing when the results do not match the stages', () => {
    const dockerfile = 'FROM stagecraft/toolchain AS build\nRUN gcc -v\nFROM stagecraft/runtime AS release\nCOPY --from=build /a /a\nFROM release\nRUN true\n';
    expect(stageImagesOf(dockerfile, 'release', ['s0', 's1'])).toEqual(['s0', 's1']);
    expect(stageImagesOf(dockerfile, undefined, ['s0', 's1'])).toEqual([]);
  });
});

describe('BuildTracker', () => {
  const aux = (id: string) => JSON.stringify({ aux: { ID: id } });
  it('calls a build built only when the engine ended its stream itself', () => {
    const cut = new BuildTracker();
    for (const line of [aux('sha256:small'), JSON.stringify({ stream: 'Step 3/4 : RUN sleep 600\n' })]) cut.feed(line);
    expect(cut.result(false)).toMatchObject({ outcome: 'interrupted', final: undefined, stages: ['sha256:small'] });
    const whole = new BuildTracker();
    for (const line of [aux('sha256:small'), aux('sha256:final')]) whole.feed(line);
    expect(whole.result(true)).toMatchObject({ outcome: 'built', final: 'sha256:final', stages: ['sha256:small'] });
  });

  it('lists the containers the engine says its steps ran in (candidates for the gateway to verify)', () => {
    const tracker = new BuildTracker();
    for (const text of ['Step 2/3 : RUN gcc hello.c\n', ' ---> Running in 6ef8af848982\n', ' ---> 8c84de85c5d9\n', 'not  ---> Running in 000000000000\n']) tracker.feed(JSON.stringify({ stream: text }));
    expect(tracker.result(true)).toMatchObject({ containers: ['6ef8af848982'], printed: ['8c84de85c5d9'] });
  });

  it('tells the images a step took from the build cache, whether the two lines come together or apart', () => {
    const tracker = new BuildTracker();
    const lines = ['Step 2/4 : RUN echo U > /s1\n ---> Using cache\n ---> be3902419301\n', 'Step 3/4 : RUN true\n', ' ---> Using cache\n', ' ---> 0123456789ab\n', 'Step 4/4 : RUN gcc hello.c\n', ' ---> Running in 6ef8af848982\n', ' ---> 8c84de85c5d9\n'];
    for (const text of lines) tracker.feed(JSON.stringify({ stream: text }));
    expect(tracker.fromCache('sha256:be3902419301aaaa')).toBe(true);
    expect(tracker.fromCache('0123456789ab')).toBe(true);
    expect(tracker.fromCache('sha256:8c84de85c5d9ffff')).toBe(false);
  });
});
