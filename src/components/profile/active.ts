// The image profile this site is built for: STAGECRAFT_PROFILE at build time, "offline" by default.
import { PROFILES, ProfileName, type Profile } from '../../schemas/profile.ts';

/** Reads a profile name; an unset or empty value means the default, anything unknown fails the build. */
export function resolveProfileName(raw: string | undefined): ProfileName {
  if (raw === undefined || raw.trim() === '') return 'offline';
  const parsed = ProfileName.safeParse(raw.trim());
  if (!parsed.success) {
    throw new Error(
      `STAGECRAFT_PROFILE: expected one of ${ProfileName.options.map((o) => `"${o}"`).join(', ')}, got ${JSON.stringify(raw)}`,
    );
  }
  return parsed.data;
}

/** Build-time only: this module runs in Astro's build, never in the browser. */
export const activeProfileName: ProfileName = resolveProfileName(process.env.STAGECRAFT_PROFILE);
export const activeProfile: Profile = PROFILES[activeProfileName];
