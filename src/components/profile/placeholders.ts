// Fills a lesson's Dockerfile template with the active profile's image names and package step.
import type { Profile } from '../../schemas/profile.ts';

/** Indentation of a continued `RUN` line, as Dockerfiles are usually written. */
const CONTINUATION_INDENT = '    ';

/**
 * The placeholders a lesson may use, and what each becomes:
 * - `{{toolchain}}`, `{{runtime}}`: the profile's base image names;
 * - `{{install}}`: the package step's two commands joined the correct way (`&& \` + newline);
 * - `{{install-broken}}`: joined as document 000 printed it (`&&` at a line end, no backslash),
 *   which the builder rejects with `unknown instruction: <second command's first word>`.
 */
export function placeholderValues(profile: Profile): Record<string, string> {
  const [first, second] = profile.install;
  return {
    toolchain: profile.toolchain,
    runtime: profile.runtime,
    install: `${first} && \\\n${CONTINUATION_INDENT}${second}`,
    'install-broken': `${first} &&\n${second}`,
  };
}

/** Replaces every `{{name}}`; an unknown name is a lesson bug, so it fails the build with the name. */
export function fillPlaceholders(template: string, profile: Profile): string {
  const values = placeholderValues(profile);
  return template.replace(/\{\{\s*([a-z-]+)\s*\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(
        `Dockerfile template: unknown placeholder {{${name}}}; expected one of ${Object.keys(values)
          .map((k) => `{{${k}}}`)
          .join(', ')}`,
      );
    }
    return value;
  });
}
