import { describe, expect, it } from 'vitest';
import { LabLabelStepFilter, labLabelStepRemover, withoutLabLabelStep } from './lab-label-step.ts';

const json = (stream: string) => JSON.stringify({ stream });
/** A build stream as engine 20.10 prints it, with a learner's own label after the lab's (sorted by key). */
const BUILD = [
  'Step 1/4 : FROM stagecraft/runtime', ' ---> 4d571d67d19f',
  'Step 2/4 : RUN echo \'Step 9/9 : FROM x\'', ' ---> Running in 4947adcee26e', 'Step 9/9 : FROM x', 'Removing intermediate container 4947adcee26e', ' ---> db81c7344e82',
  'Step 3/4 : LABEL org.stagecraft.learner=abc', ' ---> Running in 601cd497828a', 'Removing intermediate container 601cd497828a', ' ---> 0b4eb97980e7',
  'Step 4/4 : LABEL zz.mine=yes', ' ---> Running in 701cd497828a', 'Removing intermediate container 701cd497828a', ' ---> 1b4eb97980e7',
  'Successfully built 1b4eb97980e7',
].map((line) => json(`${line}\n`));

describe('the lab\'s label step', () => {
  it('is taken off the build output, and the steps are numbered as the learner\'s Dockerfile', () => {
    const filter = new LabLabelStepFilter();
    const shown = BUILD.flatMap((line) => filter.line(line) ?? []).map((line) => (JSON.parse(line) as { stream: string }).stream.trimEnd());
    expect(shown).toEqual([
      'Step 1/3 : FROM stagecraft/runtime', ' ---> 4d571d67d19f',
      'Step 2/3 : RUN echo \'Step 9/9 : FROM x\'', ' ---> Running in 4947adcee26e', 'Step 9/9 : FROM x', 'Removing intermediate container 4947adcee26e', ' ---> db81c7344e82',
      'Step 3/3 : LABEL zz.mine=yes', ' ---> Running in 701cd497828a', 'Removing intermediate container 701cd497828a', ' ---> 1b4eb97980e7',
      'Successfully built 1b4eb97980e7',
    ]);
  });

  it('leaves lines that are not JSON stream text alone', () => {
    const filter = new LabLabelStepFilter();
    expect(filter.line('{"aux":{"ID":"sha256:1b4e"}}')).toBe('{"aux":{"ID":"sha256:1b4e"}}');
    expect(filter.line('not json')).toBe('not json');
  });

  it('is taken off a history, the image keeping its own id and tags on the top entry', () => {
    const history = [
      { Id: 'sha256:top', Tags: ['hello:latest'], CreatedBy: '/bin/sh -c #(nop)  LABEL org.stagecraft.learner=abc', Size: 0 },
      { Id: 'sha256:cmd', Tags: null, CreatedBy: '/bin/sh -c #(nop)  CMD ["/hello"]', Size: 0 },
      { Id: 'sha256:copy', Tags: null, CreatedBy: '/bin/sh -c #(nop) COPY file:1 in /hello ', Size: 800_000 },
    ];
    const expected = [{ Id: 'sha256:top', Tags: ['hello:latest'], CreatedBy: '/bin/sh -c #(nop)  CMD ["/hello"]', Size: 0 }, history[2]];
    expect(withoutLabLabelStep(history)).toEqual(expected);
    // Streamed: one entry a call, as the gateway relays an engine's answer.
    const remover = labLabelStepRemover<(typeof history)[number]>();
    expect(history.flatMap((entry) => remover([entry]))).toEqual(expected);
  });
});
