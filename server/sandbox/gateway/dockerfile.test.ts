import { describe, expect, it } from 'vitest';
import { rewriteDockerfile } from './dockerfile.ts';
import { refuse } from './police.ts';

// A stand-in for ownership: "mine" and the base images exist; anything else does not.
const mapImage = async (reference: string) => {
  if (reference === 'mine' || reference === 'mine:latest') return { ok: true as const, value: 'sc-x/mine:latest' };
  if (reference.startsWith('stagecraft/')) return { ok: true as const, value: reference };
  return refuse('not_found', `no ${reference}`, 404);
};
const rewrite = (text: string) => rewriteDockerfile(text, mapImage);

describe('rewriteDockerfile', () => {
  it('maps FROM and COPY --from image references, leaving stages and numbers alone', async () => {
    const result = await rewrite('FROM stagecraft/toolchain AS build\nRUN make\nFROM mine\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=mine /c /c\n');
    expect(result).toEqual({ ok: true, value: 'FROM stagecraft/toolchain AS build\nRUN make\nFROM sc-x/mine:latest\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=sc-x/mine:latest /c /c\n' });
  });

  it('keeps line numbers when a FROM is continued over lines', async () => {
    const result = await rewrite('FROM \\\n  mine \\\n  AS x\nRUN true\n');
    expect(result.ok && result.value.split('\n')).toEqual(['FROM sc-x/mine:latest AS x', '', '', 'RUN true', '']);
  });

  it('leaves the lesson\'s broken continuation for the engine to report on its own line', async () => {
    const text = 'FROM stagecraft/toolchain\nRUN gcc --version &&\nmake --version\n';
    expect(await rewrite(text)).toEqual({ ok: true, value: text });
  });

  it('honours the escape directive and skips comments', async () => {
    const result = await rewrite('# escape=`\n# FROM other\nFROM `\n mine\n');
    expect(result.ok && result.value).toBe('# escape=`\n# FROM other\nFROM sc-x/mine:latest\n\n');
  });

  it.each([
    ['FROM another learner\'s image', 'FROM theirs\n', 'not_found'],
    ['FROM a variable', 'ARG B=theirs\nFROM $B\n', 'dockerfile_forbidden'],
    ['COPY --from a variable', 'FROM mine\nCOPY --from=${B} /a /a\n', 'dockerfile_forbidden'],
    ['COPY --from a later stage number', 'FROM mine\nCOPY --from=1 /a /a\n', 'not_found'],
    ['ONBUILD', 'FROM mine\nONBUILD RUN true\n', 'dockerfile_forbidden'],
    ['FROM --platform of another architecture', 'FROM --platform=linux/arm64 mine\n', 'dockerfile_forbidden'],
  ])('refuses %s', async (_what, text, code) => {
    expect(await rewrite(text)).toMatchObject({ ok: false, error: { code } });
  });

  it('allows FROM scratch', async () => {
    expect(await rewrite('FROM scratch\nCOPY hello /\n')).toEqual({ ok: true, value: 'FROM scratch\nCOPY hello /\n' });
  });
});
