// What a route module is handed: the learner's gateway as a small interface (its engine, names,
// ownership, quota and a few shared moves), and the types routes and gateway share. A leaf: the
// route modules and the concrete gateway (handlers.ts) import it; it imports none of them.
import type http from 'node:http';
import type { EngineEndpoint } from '../endpoint.ts';
import type { Handler, Quotas } from '../policy.ts';
import type { BuildFinish } from '../../store/index.ts';
import type { EngineClient } from './engine.ts';
import type { BaseImages, Namespace } from './names.ts';
import type { ImageInfo, Ownership } from './ownership.ts';
import type { Refusal } from './police.ts';
import type { Quota } from './quota.ts';
import type { LayerFiles } from '../layer-files.ts';

export type { BaseImages };

/** The learner's build records, kept in the store: provenance, and the images their builds made. */
export interface LearnerBuilds {
  start(build: { dockerfileName: string; dockerfile: string; plan: unknown; tags: string[] }): number;
  finish(id: number, finish: BuildFinish): void;
  tagged(imageId: string, tag: string): void;
  built(imageId: string): boolean;
  /** Every image the learner's builds made (earlier stages and leftovers of failed builds included). */
  images(): string[];
}

export interface GatewayOptions {
  learnerId: string;
  engine: EngineEndpoint;
  /** The engine's version string, shown by `docker version`. */
  engineVersion: string;
  base: BaseImages;
  /** References the learner may pull (the docs profile's base images); empty offline. */
  pullable: readonly string[];
  /** Cgroup parent whose pids.max caps the learner's build steps, when the host allows one. */
  buildCgroupParent?: string;
  quotas: Quotas;
  /** Counts the files of image layers: an engine on this host. Without it, image files do not count. */
  layerFiles?: LayerFiles;
  /** Where the learner's builds are recorded. */
  builds?: LearnerBuilds;
  /** Told when the learner's images change: a build ended, a tag was given, an image removed. */
  onImagesChanged?: () => void;
  /** Keeps the learner's last build output, which grading reads to explain a failure. */
  buildLog?: { start(): void; append(text: string): void };
  /** Every refusal, with its stable code (tests and logs read it; the learner does not see it). */
  onRefusal?: (refusal: Refusal, request: { method: string; url: string }) => void;
  /** Every request answered without an error, by its handler: what the learner's CLI reached. */
  onAnswered?: (handler: Handler) => void;
}

export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  /** The object named in the path (image, container or exec), if the route has one. */
  subject: string;
}

/** One route's handler; the route modules return a table of them. */
export type Handle = (x: Exchange) => Promise<void> | void;

/** A table of route handlers, by the policy's handler name. */
export type Handlers = Partial<Record<Handler, Handle>>;

export interface ForwardOptions {
  body?: Buffer;
  mode?: 'json' | 'lines' | 'raw';
  transform?: (value: unknown) => unknown;
  headers?: Record<string, string>;
  onStatus?: (status: number) => void;
}

/** The learner's gateway as the route modules see it. */
export interface GatewayContext {
  readonly options: GatewayOptions;
  readonly engine: EngineClient;
  readonly ns: Namespace;
  readonly own: Ownership;
  readonly quota: Quota;
  /** Images a running build starts from: not removable until it ends. */
  hold(ids: string[]): void;
  release(ids: string[]): void;
  isHeld(id: string): boolean;
  /** Waits for the learner's earlier requests of this kind, and holds the turn until `res` closes. */
  turn(kind: string, res: http.ServerResponse): Promise<void>;
  /** Forwards a fresh request and relays the answer with the learner's names. */
  forward(x: Exchange, method: string, path: string, query: URLSearchParams | undefined, options?: ForwardOptions): void;
  /** Names the learner may see on an image. */
  visibleImage(image: ImageInfo): ImageInfo;
}
