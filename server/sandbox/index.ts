// The sandbox: the only part of the server that speaks to the Docker Engine for learners.
// Callers see one Sandbox; behind it is a pool of engines (one, by default).
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { dockerodeOptions, type EngineEndpoint as Endpoint } from './endpoint.ts';
import { LABELS as Labels } from './policy.ts';
import { within } from './within.ts';
export type { ShellStream } from './shell.ts';
export { DEFAULT_LIFECYCLE, type LifecycleOptions } from './lifecycle.ts';
export type { Refusal } from './gateway/police.ts';
export { workspaceName, homeVolumeName, WORKSPACE_IMAGE } from './workspace.ts';
export { readLessonStart, LESSON_FILES_COMMAND, type LessonStart } from './lesson-files.ts';
export { LABELS, LIMITS, DEFAULT_QUOTAS, type Quotas } from './policy.ts';
export { parseEndpoint, type EngineEndpoint } from './endpoint.ts';
export { LAB_IMAGES, type EnginePins, type EngineState, type EngineVersion, type ImageLayers, type Sandbox, type SandboxOptions } from './types.ts';
export { createEnginePool as createSandbox, WorkspaceUnavailable } from './pool.ts';

/**
 * Learners of this server (a gateway folder in `dataDir`) whose workspace is running, on every engine
 * that answers within 3 s: what the lab's cap on running workspaces counts. Other servers sharing an
 * engine are not counted; an engine that does not answer runs nothing anyone can use.
 */
export function runningWorkspaces(engines: Endpoint[], dataDir: string): () => Promise<Set<string>> {
  const clients = engines.map((endpoint) => new Docker(dockerodeOptions(endpoint)));
  const list = async (docker: Docker) => (await within(
    docker.listContainers({ filters: { label: [`${Labels.role}=workspace`], status: ['running'] } }), 3_000,
  ).catch(() => undefined)) ?? []; // the engine is down or slow: its health check reports it
  return async () => new Set((await Promise.all(clients.map(list))).flat()
    .map((info) => info.Labels[Labels.learner] ?? '')
    .filter((id) => /^[a-f0-9]{20}$/.test(id) && fs.existsSync(path.join(dataDir, 'gateways', id))));
}
