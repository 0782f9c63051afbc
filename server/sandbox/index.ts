// The sandbox: the only part of the server that speaks to the Docker Engine for learners.
// Callers see one Sandbox; behind it is a pool of engines (one, by default).
export type { ShellStream } from './shell.ts';
export { DEFAULT_LIFECYCLE, type LifecycleOptions } from './lifecycle.ts';
export type { Refusal } from './gateway/police.ts';
export { workspaceName, homeVolumeName, WORKSPACE_IMAGE } from './workspace.ts';
export { LABELS, LIMITS, DEFAULT_QUOTAS, type Quotas } from './policy.ts';
export { parseEndpoint, type EngineEndpoint } from './endpoint.ts';
export { LAB_IMAGES, type EnginePins, type EngineState, type EngineVersion, type ImageLayers, type Sandbox, type SandboxOptions } from './types.ts';
export { createEnginePool as createSandbox, WorkspaceUnavailable } from './pool.ts';
