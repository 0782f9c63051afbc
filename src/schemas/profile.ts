// Image profiles: which base images (and which package step) the lessons name, per build-time profile.
import { z } from 'zod';

/** Profile name, from STAGECRAFT_PROFILE at build time; default "offline". */
export const ProfileName = z.enum(['offline', 'docs']);
export type ProfileName = z.infer<typeof ProfileName>;

/** The role a base image plays in a lesson's Dockerfile. */
export const ImageRole = z.enum(['toolchain', 'runtime']);
export type ImageRole = z.infer<typeof ImageRole>;

/** A Docker image reference as a learner types it, e.g. "alpine:3.7" or "stagecraft/toolchain". */
const ImageName = z.string().regex(/^[a-z0-9][a-z0-9._/-]*(?::[A-Za-z0-9._-]+)?$/);

export const Profile = z
  .object({
    /** Base image of the build stage: has a C compiler and make (after `install`, in the docs profile). */
    toolchain: ImageName,
    /** Base image of the final stage: can run a compiled binary, carries no compiler. */
    runtime: ImageName,
    /**
     * The two shell commands of the document's package step (`RUN a && b`), in order.
     * docs: install the SDK with apk (needs network). offline: builds have no network and the
     * toolchain already has the tools, so the step only prints their versions.
     */
    install: z.tuple([z.string().min(1), z.string().min(1)]),
    /** Whether `RUN` steps of a learner's build can reach the network. */
    buildNetwork: z.boolean(),
  })
  .strict();
export type Profile = z.infer<typeof Profile>;

/** The profile table. Lessons never name these images in prose; they use the profile components. */
export const PROFILES = {
  offline: {
    toolchain: 'stagecraft/toolchain',
    runtime: 'stagecraft/runtime',
    install: ['gcc --version', 'make --version'],
    buildNetwork: false,
  },
  docs: {
    toolchain: 'alpine:3.7',
    runtime: 'alpine:3.7',
    install: ['apk update', 'apk add --update alpine-sdk'],
    buildNetwork: true,
  },
} as const satisfies Record<ProfileName, Profile>;

/**
 * The instruction word the classic builder rejects when the package step is split with `&&`
 * at a line end and no backslash (document 000's misprint): the second command becomes a line
 * of its own, and its first word is read as an instruction, e.g. "APK" or "MAKE".
 */
export function brokenInstruction(profile: Profile): string {
  const [, second] = profile.install;
  return second.split(/\s+/, 1)[0]!.toUpperCase();
}
