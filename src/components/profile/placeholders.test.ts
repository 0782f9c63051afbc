// The profile placeholders produce the document's broken and fixed package steps in both profiles.
import { describe, expect, it } from 'vitest';
import { PROFILES, brokenInstruction } from '../../schemas/profile.ts';
import { fillPlaceholders } from './placeholders.ts';
import { resolveProfileName } from './active.ts';

const TEMPLATE = 'FROM {{toolchain}}\nRUN {{install-broken}}\n---\nRUN {{install}}\nFROM {{ runtime }}';

describe('fillPlaceholders', () => {
  it('docs profile: the book\'s images and apk step', () => {
    expect(fillPlaceholders(TEMPLATE, PROFILES.docs)).toBe(
      'FROM alpine:3.7\nRUN apk update &&\napk add --update alpine-sdk\n---\n' +
        'RUN apk update && \\\n    apk add --update alpine-sdk\nFROM alpine:3.7',
    );
    expect(brokenInstruction(PROFILES.docs)).toBe('APK');
  });

  it('offline profile: no network needed, broken the same way', () => {
    expect(fillPlaceholders(TEMPLATE, PROFILES.offline)).toBe(
      'FROM stagecraft/toolchain\nRUN gcc --version &&\nmake --version\n---\n' +
        'RUN gcc --version && \\\n    make --version\nFROM stagecraft/runtime',
    );
    expect(brokenInstruction(PROFILES.offline)).toBe('MAKE');
  });

  it('fails on an unknown placeholder, naming it', () => {
    expect(() => fillPlaceholders('FROM {{builder}}', PROFILES.offline)).toThrow(
      'Dockerfile template: unknown placeholder {{builder}}; expected one of {{toolchain}}, {{runtime}}, {{install}}, {{install-broken}}',
    );
  });
});

describe('resolveProfileName', () => {
  it('defaults to offline and rejects unknown names', () => {
    expect(resolveProfileName(undefined)).toBe('offline');
    expect(resolveProfileName('')).toBe('offline');
    expect(resolveProfileName('docs')).toBe('docs');
    expect(() => resolveProfileName('online')).toThrow('STAGECRAFT_PROFILE: expected one of "offline", "docs", got "online"');
  });
});
