// A learner's names and the engine's: every image and container a learner names lives in the engine
// under a per-learner prefix, so two learners can both own `hello-world:latest`. Pure: no engine calls.
import { refuse, type Result } from './police.ts';

/** The course's read-only images, which every learner may read and none may change. */
export interface BaseImages {
  /** Exact read-only references, e.g. "alpine:3.7". */
  refs: readonly string[];
  /** Repositories whose every tag is read-only, e.g. "stagecraft/toolchain". */
  repositories: readonly string[];
}

/** What a learner's image reference points at in the engine. */
export type ImageTarget =
  | { kind: 'base'; engineRef: string } // a read-only course image, same name in the engine
  | { kind: 'own'; engineRef: string; maybeId: boolean } // a name in the learner's namespace; maybeId: all hex, so Docker would try it as an id next
  | { kind: 'id'; id: string }; // an image id or id prefix; ownership is checked against the engine

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const ID = /^(?:sha256:)?[a-f0-9]{4,64}$/;
const CONTAINER_NAME = /^\/?[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export class Namespace {
  /** Engine-side repository prefix, e.g. "sc-0123abcd…/". */
  readonly imagePrefix: string;
  /** Engine-side container name prefix, e.g. "sc-0123abcd…_". */
  readonly containerPrefix: string;
  /** Engine-side repository prefix of the gateway's holds on the learner's stage images (no learner's namespace). */
  readonly holdPrefix: string;
  readonly #baseRefs: Set<string>;
  readonly #baseRepositories: Set<string>;

  /**
   * @param learnerId the learner's id (lower-case hex, so the prefix is a valid repository component)
   * @param base the course's read-only images: exact references, and repositories whose every tag is read-only
   */
  constructor(learnerId: string, base: BaseImages) {
    this.imagePrefix = `sc-${learnerId}/`;
    this.containerPrefix = `sc-${learnerId}_`;
    this.holdPrefix = `sc-held-${learnerId}/`;
    this.#baseRefs = new Set(base.refs.map((ref) => normalise(ref) ?? ref));
    this.#baseRepositories = new Set(base.repositories);
  }

  /** Where a learner's image reference (as typed: `hello-world`, `a/b:v1`, an id) lives in the engine. */
  image(reference: string): Result<ImageTarget> {
    if (reference.startsWith('sha256:')) {
      return ID.test(reference) ? { ok: true, value: { kind: 'id', id: reference } } : invalidReference(reference);
    }
    const normal = normalise(reference);
    if (!normal) return ID.test(reference) ? { ok: true, value: { kind: 'id', id: reference } } : invalidReference(reference);
    if (this.isBase(normal)) return { ok: true, value: { kind: 'base', engineRef: normal } };
    return { ok: true, value: { kind: 'own', engineRef: this.imagePrefix + normal, maybeId: ID.test(reference) } };
  }

  /** The engine reference for a new name the learner gives (build -t, tag): never a base image's. */
  newImageName(reference: string): Result<string> {
    const normal = normalise(reference);
    if (!normal) return invalidReference(reference);
    if (this.isBase(normal)) {
      return refuse('base_image_read_only', `${reference} is one of the course's base images, which cannot be changed: choose another name`);
    }
    return { ok: true, value: this.imagePrefix + normal };
  }

  /** The engine name of a learner's container name (as given to --name). */
  containerName(name: string): Result<string> {
    if (!CONTAINER_NAME.test(name)) return refuse('malformed_request', `invalid container name "${name}": use letters, digits, _ . -`, 400);
    return { ok: true, value: this.containerPrefix + name.replace(/^\//, '') };
  }

  /** Whether every tag of `repository` is a base image (`stagecraft/toolchain`), or one of its tags is. */
  isBaseRepository(repository: string): boolean {
    if (this.#baseRepositories.has(repository)) return true;
    for (const ref of this.#baseRefs) if (ref.slice(0, ref.lastIndexOf(':')) === repository) return true;
    return false;
  }

  /** Whether a normalised `repo:tag` is a read-only base image. */
  isBase(ref: string): boolean {
    return this.#baseRefs.has(ref) || this.#baseRepositories.has(ref.slice(0, ref.lastIndexOf(':')));
  }

  /** Whether an engine reference (`repo:tag`) is the learner's own. */
  owns(engineRef: string): boolean {
    return engineRef.startsWith(this.imagePrefix);
  }

  /** Text from the engine as the learner should see it: the learner's prefixes removed. */
  toLearner(text: string): string {
    return text.replaceAll(this.imagePrefix, '').replaceAll(this.containerPrefix, '');
  }
}

/**
 * A reference as Docker normalises it, `repo:tag` (tag "latest" by default), with Docker Hub's
 * `docker.io/` and `library/` dropped; undefined when it is not a valid reference or names another
 * registry (the lab pulls from none).
 */
export function normalise(reference: string): string | undefined {
  if (reference.length === 0 || reference.length > 255 || reference.includes('@')) return undefined;
  let rest = reference;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      if (first !== 'docker.io' && first !== 'index.docker.io') return undefined;
      rest = rest.slice(slash + 1);
    }
  }
  const colon = rest.lastIndexOf(':');
  let repository = rest;
  let tag = 'latest';
  if (colon > rest.lastIndexOf('/')) {
    repository = rest.slice(0, colon);
    tag = rest.slice(colon + 1);
  }
  if (repository.startsWith('library/') && repository.split('/').length === 2) repository = repository.slice('library/'.length);
  if (!TAG.test(tag) || !repository.split('/').every((c) => COMPONENT.test(c))) return undefined;
  return `${repository}:${tag}`;
}

const invalidReference = (reference: string) =>
  refuse('invalid_reference', `invalid reference format: "${reference}" (use a name like hello-world or hello-world:v1; this lab has no other registries)`, 400);
