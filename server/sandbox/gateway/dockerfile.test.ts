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

  // Found in a security review: each of these once let FROM or COPY --from reach another learner's image,
  // or made the engine fetch from the host's network, or tied up its CPU.
  it.each([
    ['a continuation that ends in a no-break space', 'FROM mine\nRUN true \\\u00a0\nFROM theirs\n', /line 2 has a character/],
    ['a continuation that ends in a vertical tab', 'FROM mine\nRUN true \\\u000b\nFROM theirs\n', /line 2 has a character/],
    ['an escaped flag name', 'FROM mine\nCOPY --fr\\om=theirs /a /a\n', /flags must be written plainly/],
    ['a quoted flag', 'FROM mine\nCOPY "--from=theirs" /a /a\n', /flags must be written plainly|not_found|does not exist/],
    ['a dotted capital I in a keyword', 'FROM mine\nONBU\u0130LD RUN true\n', /line 2 has a character/],
    ['ADD from a URL', 'FROM mine\nADD http://127.0.0.1:4321/api/health /x\n', /ADD from a URL is not available/],
    ['ADD from a URL in exec form', 'FROM mine\nADD ["https://example.invalid/x", "/x"]\n', /ADD from a URL is not available/],
    ['ADD from git', 'FROM mine\nADD git@example.invalid:x/y.git /x\n', /ADD from a URL is not available/],
    ['the ownership label', 'FROM mine\nLABEL org.stagecraft.learner=someone\n', /reserved by the lab/],
    ['a huge LABEL', `FROM mine\nLABEL big="${'x'.repeat(5000)}"\n`, /longer than 4096 characters/],
    ['a huge Dockerfile', `FROM mine\n${'RUN true\n'.repeat(8000)}`, /larger than 64 KiB/],
  ])('refuses %s', async (_what, text, message) => {
    const result = await rewrite(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : `${result.error.code} ${result.error.message}`).toMatch(message);
  });

  it('allows FROM scratch', async () => {
    expect(await rewrite('FROM scratch\nCOPY hello /\n')).toEqual({ ok: true, value: 'FROM scratch\nCOPY hello /\n' });
  });
});
