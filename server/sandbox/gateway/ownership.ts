// Whose is it? Resolves a learner's image, container and exec references against the engine.
// Something the learner does not own answers exactly as something missing (Docker's own 404 and
// message), so existence never leaks; the refusal code `not_owner` goes only to the log.
import { LABELS } from '../policy.ts';
import type { EngineClient } from './engine.ts';
import type { Namespace } from './names.ts';
import { refuse, type Refusal, type Result } from './police.ts';

export interface ImageInfo { Id: string; RepoTags?: string[] | null; RepoDigests?: string[] | null; Labels?: Record<string, string> | null; Size?: number; Containers?: number; Config?: { Labels?: Record<string, string> | null } }
export interface ContainerInfo { Id: string; Names?: string[]; State?: string | { Running?: boolean }; Labels?: Record<string, string>; SizeRw?: number; Image?: string }

export type Access = 'read' | 'write';

export interface ResolvedImage { engineRef: string; base: boolean; info: ImageInfo }

export class Ownership {
  readonly #engine: EngineClient;
  readonly #ns: Namespace;
  readonly #learnerId: string;
  readonly #built: (imageId: string) => boolean;
  readonly #onHidden: (refusal: Refusal) => void;

  /** `built`: whether the gateway recorded that one of the learner's builds made the image. */
  constructor(engine: EngineClient, ns: Namespace, learnerId: string, built: (imageId: string) => boolean, onHidden: (refusal: Refusal) => void) {
    this.#engine = engine;
    this.#ns = ns;
    this.#learnerId = learnerId;
    this.#built = built;
    this.#onHidden = onHidden;
  }

  /** Label filters that select this learner's own containers (never their workspace). */
  get containerLabels(): string[] {
    return [`${LABELS.learner}=${this.#learnerId}`, `${LABELS.role}=learner-container`];
  }

  /**
   * A learner owns an image named in their namespace, one their recorded build made (an earlier
   * stage's result has neither name nor label), or one the gateway labelled as theirs (a learner
   * can set no org.stagecraft.* label: the gateway refuses them after the engine's expansion).
   */
  ownsImage(info: ImageInfo): boolean {
    const labels = info.Labels ?? info.Config?.Labels ?? {};
    return (info.RepoTags ?? []).some((tag) => this.#ns.owns(tag)) || this.#built(info.Id) || labels[LABELS.learner] === this.#learnerId;
  }

  ownsTag(reference: string): boolean {
    return this.#ns.owns(reference);
  }

  /** A reference filter that lists the images the gateway holds for this learner. */
  get holdsFilter(): string {
    return `${this.#ns.holdPrefix}*`;
  }

  /** Whether a name is the gateway's hold on one of this learner's stage images (stage-holds.ts). */
  holdsForLearner(reference: string): boolean {
    return reference.startsWith(this.#ns.holdPrefix);
  }

  isBaseImage(info: ImageInfo): boolean {
    return (info.RepoTags ?? []).some((tag) => this.#ns.isBase(tag));
  }

  ownsContainer(info: ContainerInfo | { Config?: { Labels?: Record<string, string> } }): boolean {
    const labels = ('Labels' in info ? info.Labels : undefined) ?? ('Config' in info ? info.Config?.Labels : undefined) ?? {};
    return labels[LABELS.learner] === this.#learnerId && labels[LABELS.role] === 'learner-container';
  }

  /** The learner's image by name or id; base images only for reading. */
  async image(reference: string, access: Access): Promise<Result<ResolvedImage>> {
    const target = this.#ns.image(reference);
    if (!target.ok) return target;
    const missing = () => notFound('image', reference);
    const { value } = target;
    if (value.kind === 'base') {
      if (access === 'write') return refuse('base_image_read_only', `${reference} is one of the course's base images, which cannot be changed`);
      const found = await this.#inspectImage(value.engineRef);
      return found ? { ok: true, value: { engineRef: value.engineRef, base: true, info: found } } : missing();
    }
    if (value.kind === 'own') {
      const found = await this.#inspectImage(value.engineRef);
      if (found) return { ok: true, value: { engineRef: value.engineRef, base: false, info: found } };
      if (!value.maybeId) return missing();
    }
    // By id: the engine resolves prefixes; the answer is the learner's only if they own it.
    const id = value.kind === 'id' ? value.id : reference;
    const found = await this.#inspectImage(id);
    if (!found) return missing();
    // A base image stays read-only even when a learner's name or build also points at it.
    if (this.isBaseImage(found) && access === 'read') return { ok: true, value: { engineRef: found.Id, base: true, info: found } };
    if (this.isBaseImage(found) && !this.ownsImage(found)) return refuse('base_image_read_only', `${reference} is one of the course's base images, which cannot be changed`);
    if (this.ownsImage(found)) return { ok: true, value: { engineRef: found.Id, base: false, info: found } };
    this.#onHidden({ code: 'not_owner', status: 404, message: `image ${reference}` });
    return missing();
  }

  /** The learner's container by name, full id or unique id prefix. */
  async container(reference: string): Promise<Result<string>> {
    const missing = () => notFound('container', reference);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(reference)) return missing();
    const named = this.#ns.containerName(reference);
    if (named.ok) {
      const byName = await this.#engine.json('GET', `/containers/${named.value}/json`);
      if (byName.status === 200 && this.ownsContainer(byName.body as ContainerInfo)) return { ok: true, value: (byName.body as ContainerInfo).Id };
    }
    if (/^[a-f0-9]+$/.test(reference)) {
      const matches = (await this.containers()).filter((c) => c.Id.startsWith(reference));
      if (matches.length === 1) return { ok: true, value: matches[0]!.Id };
      if (matches.length > 1) return refuse('malformed_request', `multiple containers found with provided prefix: ${reference}`, 400);
    }
    // Not ours: is it someone's? Only the log may know.
    const other = await this.#engine.json('GET', `/containers/${reference}/json`);
    if (other.status === 200) this.#onHidden({ code: 'not_owner', status: 404, message: `container ${reference}` });
    return missing();
  }

  /** An exec instance is the learner's when its container is. */
  async exec(execId: string): Promise<Result<string>> {
    const answer = await this.#engine.json('GET', `/exec/${execId}/json`);
    const containerId = (answer.body as { ContainerID?: string } | undefined)?.ContainerID;
    if (answer.status === 200 && containerId) {
      const container = await this.#engine.json('GET', `/containers/${containerId}/json`);
      if (container.status === 200 && this.ownsContainer(container.body as ContainerInfo)) return { ok: true, value: execId };
      this.#onHidden({ code: 'not_owner', status: 404, message: `exec ${execId}` });
    }
    return { ok: false, error: { code: 'not_found', status: 404, message: `No such exec instance: ${execId}` } };
  }

  /** Every container the learner owns (with sizes when asked). */
  async containers(size = false): Promise<ContainerInfo[]> {
    const query = new URLSearchParams({ all: '1', filters: JSON.stringify({ label: this.containerLabels }) });
    if (size) query.set('size', '1');
    const answer = await this.#engine.json('GET', '/containers/json', query);
    return Array.isArray(answer.body) ? (answer.body as ContainerInfo[]) : [];
  }

  /** Every image the learner owns, as the engine lists them. */
  async images(query = new URLSearchParams()): Promise<ImageInfo[]> {
    const answer = await this.#engine.json('GET', '/images/json', query);
    return Array.isArray(answer.body) ? (answer.body as ImageInfo[]).filter((image) => this.ownsImage(image)) : [];
  }

  async #inspectImage(reference: string): Promise<ImageInfo | undefined> {
    const answer = await this.#engine.json('GET', `/images/${reference}/json`);
    return answer.status === 200 ? (answer.body as ImageInfo) : undefined;
  }
}

/** Docker's own answer for a missing object; also what a learner gets for one they do not own. */
export function notFound(kind: 'image' | 'container', reference: string): { ok: false; error: Refusal } {
  return { ok: false, error: { code: 'not_found', status: 404, message: `No such ${kind}: ${reference}` } };
}
