import { describe, expect, it } from 'vitest';
import { canonicalDockerfile } from './dockerfile.ts';
import { refuse } from './police.ts';

// A stand-in for ownership: "mine" and the base images exist; anything else does not.
const mapImage = async (reference: string) => {
  if (reference === 'mine' || reference === 'mine:latest') return { ok: true as const, value: 'sc-x/mine:latest' };
  if (reference.startsWith('stagecraft/')) return { ok: true as const, value: reference };
  return refuse('not_found', `no ${reference}`, 404);
};
const canonical = (text: string) => canonicalDockerfile(text, mapImage);
const textOf = async (text: string) => {
  const result = await canonical(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.value.text;
};

describe('canonicalDockerfile', () => {
  it('maps FROM and COPY --from image references, leaving stages and numbers alone', async () => {
    expect(await textOf('FROM stagecraft/toolchain AS build\nRUN make\nFROM mine\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=mine /c /c\n'))
      .toBe('FROM stagecraft/toolchain AS build\nRUN make\nFROM sc-x/mine:latest\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=sc-x/mine:latest /c /c\n');
  });

  it('writes each instruction on the line where it began, with no continuation', async () => {
    expect((await textOf('FROM \\\n  mine \\\n  AS x\nRUN echo a \\\n  # note\n  b\n')).split('\n'))
      .toEqual(['FROM sc-x/mine:latest AS x', '', '', 'RUN echo a   b', '']);
  });

  it('leaves the lesson\'s broken continuation for the engine to report on its own line', async () => {
    expect(await textOf('FROM stagecraft/toolchain\nRUN gcc --version &&\nmake --version\n'))
      .toBe('FROM stagecraft/toolchain\nRUN gcc --version &&\nMAKE --version\n');
  });

  it('keeps the escape directive and nothing else', async () => {
    expect(await textOf('# syntax=docker/dockerfile:1\n# escape=`\n# FROM other\nFROM `\n mine\n'))
      .toBe('# escape=`\n\n\nFROM sc-x/mine:latest\n');
  });

  it('records the stages', async () => {
    const result = await canonical('FROM stagecraft/toolchain AS Build\nFROM scratch\nCOPY --from=build /a /a\n');
    expect(result.ok && result.value.stages).toEqual([{ index: 0, name: 'build', base: 'stagecraft/toolchain' }, { index: 1, base: 'scratch' }]);
  });

  it.each([
    ['FROM another learner\'s image', 'FROM theirs\n', 'not_found'],
    ['FROM a variable', 'ARG B=theirs\nFROM $B\n', 'dockerfile_forbidden'],
    ['COPY --from a variable', 'FROM mine\nCOPY --from=${B} /a /a\n', 'dockerfile_forbidden'],
    ['COPY --from a later stage number', 'FROM mine\nCOPY --from=1 /a /a\n', 'not_found'],
    ['COPY --from the stage it is in, by number', 'FROM mine\nFROM mine\nCOPY --from=1 /a /a\n', 'not_found'],
    ['COPY --from the stage it is in, by name', 'FROM mine AS here\nCOPY --from=here /a /a\n', 'not_found'],
    ['two --from flags', 'FROM mine AS a\nFROM mine\nCOPY --from=a --from=theirs /a /a\n', 'dockerfile_forbidden'],
    ['ONBUILD', 'FROM mine\nONBUILD RUN true\n', 'dockerfile_forbidden'],
    ['FROM --platform of another architecture', 'FROM --platform=linux/arm64 mine\n', 'dockerfile_forbidden'],
    ['a file the engine cannot parse', 'FROM mine\nENV PATH\n', 'dockerfile_unparsable'],
  ])('refuses %s', async (_what, text, code) => {
    expect(await canonical(text)).toMatchObject({ ok: false, error: { code } });
  });

  // The first edition read these differently from the engine, or not at all: each reached another
  // learner's image, made the engine fetch from the host's network, or set the lab's own labels.
  it.each([
    ['FROM split over a continuation', 'FR\\\nOM theirs\n', /no theirs/],
    ['FROM in quotes', 'FROM "theirs"\n', /no theirs/],
    ['FROM with an escape', 'FROM the\\irs\n', /no theirs/],
    ['COPY split over a continuation', 'FROM mine\nCO\\\nPY --from=theirs /a /a\n', /no theirs/],
    ['an escaped flag name', 'FROM mine\nCOPY --fr\\om=theirs /a /a\n', /no theirs/],
    ['a continuation that ends in a no-break space', 'FROM mine\nRUN true \\\u00a0\nFROM theirs\n', /line 2 has a character/],
    ['a continuation that ends in a vertical tab', 'FROM mine\nRUN true \\\u000b\nFROM theirs\n', /line 2 has a character/],
    ['a dotted capital I in a keyword', 'FROM mine\nONBU\u0130LD RUN true\n', /line 2 has a character/],
    ['ADD from a URL', 'FROM mine\nADD http://127.0.0.1:4321/api/health /x\n', /ADD from a URL is not available/],
    ['ADD split over a continuation', 'FROM mine\nAD\\\nD http://127.0.0.1:4321/api/health /x\n', /ADD from a URL is not available/],
    ['ADD from a quoted URL', 'FROM mine\nADD "http://127.0.0.1/x" /x\n', /ADD from a URL is not available/],
    ['ADD from a URL in exec form', 'FROM mine\nADD ["https://example.invalid/x", "/x"]\n', /ADD from a URL is not available/],
    ['ADD from a URL made of a variable', 'FROM mine\nENV u=http://127.0.0.1/\nADD ${u}x /x\n', /ADD sources may not use variables/],
    ['ADD from git', 'FROM mine\nADD git@example.invalid:x/y.git /x\n', /ADD from a URL is not available/],
    ['ADD of a local file, which the builder would unpack if it were an archive', 'FROM mine\nADD zero.tar.gz /z/\n', /ADD is not available in this lab: use COPY/],
    ['the ownership label', 'FROM mine\nLABEL org.stagecraft.learner=someone\n', /reserved by the lab/],
    ['LABEL split over a continuation', 'FROM mine\nLAB\\\nEL org.stagecraft.role=workspace\n', /reserved by the lab/],
    ['a label key in quotes', 'FROM mine\nLABEL "org.stagecraft.role"=workspace\n', /reserved by the lab/],
    ['a label key with an escape', 'FROM mine\nLABEL org\\.stagecraft.learner=x\n', /reserved by the lab/],
    ['a label key in the old form', 'FROM mine\nLABEL org.stagecraft.learner someone\n', /reserved by the lab/],
    ['a label key made of a variable', 'FROM mine\nENV x=stagecraft\nLABEL org.$x.role=workspace\n', /LABEL keys may not use variables/],
    ['a huge LABEL', `FROM mine\nLABEL big="${'x'.repeat(5000)}"\n`, /longer than 4096 characters/],
    ['a huge Dockerfile', `FROM mine\n${'RUN true\n'.repeat(8000)}`, /larger than 60 KiB/],
  ])('refuses %s', async (_what, text, message) => {
    const result = await canonical(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : `${result.error.code} ${result.error.message}`).toMatch(message);
  });

  it('reads a quoted "--from=…" as the engine does: a file name, not a flag', async () => {
    expect(await textOf('FROM mine\nCOPY "--from=theirs" /a /a\n')).toBe('FROM sc-x/mine:latest\nCOPY "--from=theirs" /a /a\n');
  });

  it('allows FROM scratch and label values that mention the lab', async () => {
    expect(await textOf('FROM scratch\nLABEL note="org.stagecraft.learner"\nCOPY hello /\n')).toBe('FROM scratch\nLABEL note="org.stagecraft.learner"\nCOPY hello /\n');
  });

  describe('build arguments', () => {
    const withArgs = async (text: string, args: Record<string, string | null>) => canonicalDockerfile(text, mapImage, args);

    it('are written into their ARG lines as defaults, so the file says every value the build used', async () => {
      const result = await withArgs('FROM stagecraft/runtime\nARG DEST=/app OTHER\nARG UNSET\nCOPY hello ${DEST}/hello\n', { DEST: '/srv', UNSET: null, NOT_DECLARED: 'x' });
      expect(result.ok && result.value.text).toBe('FROM stagecraft/runtime\nARG DEST=/srv OTHER\nARG UNSET\nCOPY hello ${DEST}/hello\n');
    });

    it('refuse a value the file could read differently, and an ARG line too complex to rewrite', async () => {
      const spaced = await withArgs('FROM stagecraft/runtime\nARG A\n', { A: 'two words' });
      expect(!spaced.ok && spaced.error.message).toContain('--build-arg A: in this lab a value may hold only');
      const quoted = await withArgs('FROM stagecraft/runtime\nARG A="x y" B\n', { B: 'z' });
      expect(!quoted.ok && quoted.error.message).toContain('must be plain');
      for (const value of ['$HOME', 'a"b', 'a\\b']) expect((await withArgs('FROM stagecraft/runtime\nARG A\n', { A: value })).ok).toBe(false);
    });
  });
});
