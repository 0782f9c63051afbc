// What a learner's Docker CLI may ask of the engine: endpoints, query fields, body fields, forced
// settings and limits, as one table a reviewer can read. Anything not listed here is refused.

/** How a request is handled once its route matches (the gateway's handler of the same name). */
export type Handler =
  | 'ping' | 'version' | 'info' | 'disk-usage' // answered by the gateway itself
  | 'build' // query policed against BUILD_QUERY; the tar's Dockerfile rewritten; size and time capped
  | 'pull' // only the profile's allow-listed base images
  | 'image-list' | 'image-inspect' | 'image-history' | 'image-delete' | 'image-tag' | 'image-prune'
  | 'container-list' | 'container-create' | 'container' | 'container-prune' | 'nothing-to-prune' | 'not-found'
  | 'attach' | 'exec-create' | 'exec-start' | 'exec'; // attach and exec-start are upgraded to raw streams

export interface Route {
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
  /** Matched against the path with the /v1.xx prefix removed; group 1 is the object named, if any. */
  path: RegExp;
  handler: Handler;
  /** Query parameters the learner may send; any other is refused. */
  query: readonly string[];
  /** Query parameters that may be given more than once (docker build -t a -t b). */
  repeatable?: readonly string[];
}

const ID = '[A-Za-z0-9][A-Za-z0-9_.-]*'; // container or exec id/name
const IMAGE = '[A-Za-z0-9][A-Za-z0-9_.:/@-]*'; // image reference, may hold / and :

const route = (method: Route['method'], path: string, handler: Handler, query: readonly string[] = [], repeatable: readonly string[] = []): Route =>
  ({ method, path: new RegExp(`^${path}$`), handler, query, repeatable });

/**
 * Build query fields. 'learner': the learner may set it. A string: allowed only absent or equal to
 * that default (what the 20.10 CLI always sends); the gateway then writes its own value.
 */
export const BUILD_QUERY: Record<string, 'learner' | string> = {
  t: 'learner', dockerfile: 'learner', q: 'learner', nocache: 'learner', rm: 'learner', forcerm: 'learner',
  target: 'learner', buildargs: 'learner', labels: 'learner', pull: '',
  version: '1', cachefrom: '[]', cgroupparent: '', cpuperiod: '0', cpuquota: '0', cpusetcpus: '',
  cpusetmems: '', cpushares: '0', memory: '0', memswap: '0', networkmode: 'default', shmsize: '0', ulimits: 'null',
};

export const ROUTES: readonly Route[] = [
  route('HEAD', '/_ping', 'ping'),
  route('GET', '/_ping', 'ping'),
  route('GET', '/version', 'version'),
  route('GET', '/info', 'info'),
  route('GET', '/system/df', 'disk-usage'),
  // docker build, images, image inspect/history/rm/tag/prune, pull (base images only)
  route('POST', '/build', 'build', Object.keys(BUILD_QUERY), ['t']),
  route('GET', '/images/json', 'image-list', ['all', 'filters', 'digests']),
  route('GET', `/images/(${IMAGE})/json`, 'image-inspect'),
  route('GET', `/images/(${IMAGE})/history`, 'image-history'),
  route('DELETE', `/images/(${IMAGE})`, 'image-delete', ['force', 'noprune']),
  route('POST', `/images/(${IMAGE})/tag`, 'image-tag', ['repo', 'tag']),
  route('POST', '/images/prune', 'image-prune', ['filters']),
  route('POST', '/images/create', 'pull', ['fromImage', 'tag', 'platform']),
  // docker run, ps, rm, logs, inspect, stop, kill, prune
  route('POST', '/containers/create', 'container-create', ['name', 'platform']),
  route('GET', '/containers/json', 'container-list', ['all', 'limit', 'size', 'filters']),
  route('POST', '/containers/prune', 'container-prune', ['filters']),
  route('GET', `/containers/(${ID})/json`, 'container', ['size']),
  route('POST', `/containers/(${ID})/start`, 'container', ['detachKeys']),
  route('POST', `/containers/(${ID})/wait`, 'container', ['condition']),
  route('POST', `/containers/(${ID})/resize`, 'container', ['h', 'w']),
  route('POST', `/containers/(${ID})/stop`, 'container', ['t']),
  route('POST', `/containers/(${ID})/kill`, 'container', ['signal']),
  route('DELETE', `/containers/(${ID})`, 'container', ['v', 'force', 'link']),
  route('GET', `/containers/(${ID})/logs`, 'container', ['follow', 'stdout', 'stderr', 'since', 'until', 'timestamps', 'tail']),
  route('POST', `/containers/(${ID})/attach`, 'attach', ['stream', 'stdin', 'stdout', 'stderr', 'logs', 'detachKeys']),
  // docker exec
  route('POST', `/containers/(${ID})/exec`, 'exec-create'),
  route('POST', `/exec/(${ID})/start`, 'exec-start'),
  route('POST', `/exec/(${ID})/resize`, 'exec', ['h', 'w']),
  route('GET', `/exec/(${ID})/json`, 'exec'),
  // `docker inspect NAME` tries every kind of object in turn; the lab has no networks, volumes or plugins.
  route('GET', `/networks/(${ID})`, 'not-found', ['verbose', 'scope']),
  route('GET', `/volumes/(${ID})`, 'not-found'),
  route('GET', `/plugins/(${IMAGE})/json`, 'not-found'),
  // docker system prune also asks these; the lab has no networks, volumes or BuildKit cache to offer
  route('POST', '/networks/prune', 'nothing-to-prune', ['filters']),
  route('POST', '/volumes/prune', 'nothing-to-prune', ['filters']),
  route('POST', '/build/prune', 'nothing-to-prune', ['filters', 'all', 'keep-storage']),
];

/** BuildKit's endpoints get their own message: the CLI falls back to them when told to. */
export const BUILDKIT_PATHS = /^\/(session|grpc)(\/|$)/;

/**
 * How a body field (dotted path) is policed:
 * - 'allow': any value; the engine validates its type.
 * - 'zero': only absent or a zero value (null, false, 0, "", [], {} and nested zeros), which is what
 *   the CLI sends when the learner did not use the flag; the string is the refusal message.
 * - { oneOf }: only one of these values (or absent).
 * - 'object': a nested object whose own fields are listed under `path.*`.
 */
export type FieldRule = 'allow' | 'object' | { zero: string } | { oneOf: readonly unknown[]; message: string };

const no = (flag: string, what = `${flag} is not allowed in this lab`) => ({ zero: what });

export const CONTAINER_CREATE: Record<string, FieldRule> = {
  Hostname: 'allow', Domainname: 'allow', User: 'allow', AttachStdin: 'allow', AttachStdout: 'allow',
  AttachStderr: 'allow', Tty: 'allow', OpenStdin: 'allow', StdinOnce: 'allow', Env: 'allow', Cmd: 'allow',
  Image: 'allow', WorkingDir: 'allow', Entrypoint: 'allow', Labels: 'allow', StopSignal: 'allow',
  StopTimeout: 'allow', Healthcheck: 'allow', ArgsEscaped: 'allow', ExposedPorts: 'allow', Shell: 'allow',
  OnBuild: no('ONBUILD'), NetworkDisabled: 'allow', MacAddress: no('--mac-address'),
  // Anonymous volumes live outside the learner's disk accounting.
  Volumes: no('-v', 'volumes are not available in this lab: keep files in the image or in your home folder'),
  HostConfig: 'object',
  'HostConfig.AutoRemove': 'allow', 'HostConfig.ConsoleSize': 'allow', 'HostConfig.ReadonlyRootfs': 'allow',
  'HostConfig.Init': 'allow', 'HostConfig.ContainerIDFile': 'allow', // a client-side file; the engine ignores it
  'HostConfig.RestartPolicy': 'object',
  'HostConfig.RestartPolicy.Name': { oneOf: ['', 'no'], message: '--restart is not allowed in this lab' },
  'HostConfig.RestartPolicy.MaximumRetryCount': no('--restart'),
  'HostConfig.LogConfig': 'object',
  'HostConfig.LogConfig.Type': { oneOf: ['', 'json-file'], message: '--log-driver is not allowed in this lab' },
  'HostConfig.LogConfig.Config': no('--log-opt'),
  'HostConfig.NetworkMode': { oneOf: ['', 'default', 'none'], message: '--network is not allowed in this lab: containers run without a network' },
  'HostConfig.Privileged': no('--privileged'),
  'HostConfig.Binds': no('-v', 'mounting host folders (-v) is not allowed in this lab'),
  'HostConfig.Mounts': no('--mount'),
  'HostConfig.VolumesFrom': no('--volumes-from'),
  'HostConfig.VolumeDriver': no('--volume-driver'),
  'HostConfig.CapAdd': no('--cap-add'),
  'HostConfig.CapDrop': 'allow', // dropping more is harmless; we drop ALL anyway
  'HostConfig.Devices': no('--device'),
  'HostConfig.DeviceCgroupRules': no('--device-cgroup-rule'),
  'HostConfig.DeviceRequests': no('--gpus'),
  'HostConfig.PidMode': no('--pid'),
  'HostConfig.IpcMode': no('--ipc'),
  'HostConfig.UTSMode': no('--uts'),
  'HostConfig.UsernsMode': no('--userns'),
  'HostConfig.CgroupnsMode': no('--cgroupns'),
  'HostConfig.Cgroup': no('--cgroup'),
  'HostConfig.CgroupParent': no('--cgroup-parent'),
  'HostConfig.SecurityOpt': no('--security-opt'),
  'HostConfig.Sysctls': no('--sysctl'),
  'HostConfig.Runtime': no('--runtime'),
  'HostConfig.Isolation': no('--isolation'),
  'HostConfig.PortBindings': no('-p', 'publishing ports (-p) is not available: containers run without a network'),
  'HostConfig.PublishAllPorts': no('-P', 'publishing ports (-P) is not available: containers run without a network'),
  'HostConfig.Links': no('--link'),
  'HostConfig.Dns': no('--dns'), 'HostConfig.DnsOptions': no('--dns-option'), 'HostConfig.DnsSearch': no('--dns-search'),
  'HostConfig.ExtraHosts': no('--add-host'),
  'HostConfig.GroupAdd': no('--group-add'),
  'HostConfig.OomScoreAdj': no('--oom-score-adj'),
  'HostConfig.OomKillDisable': no('--oom-kill-disable'),
  'HostConfig.ShmSize': no('--shm-size'),
  'HostConfig.Ulimits': no('--ulimit'),
  'HostConfig.MaskedPaths': no('masked paths'), 'HostConfig.ReadonlyPaths': no('read-only paths'),
  'HostConfig.Tmpfs': no('--tmpfs'), 'HostConfig.StorageOpt': no('--storage-opt'),
  // Resource settings: the gateway writes its own limits, so the learner's must be unset.
  'HostConfig.Memory': no('--memory', '--memory is not allowed in this lab: the lab sets the memory limit'),
  'HostConfig.MemorySwap': no('--memory-swap'), 'HostConfig.MemoryReservation': no('--memory-reservation'),
  'HostConfig.MemorySwappiness': { oneOf: [-1, null], message: '--memory-swappiness is not allowed in this lab' },
  'HostConfig.KernelMemory': no('--kernel-memory'), 'HostConfig.KernelMemoryTCP': no('--kernel-memory'),
  'HostConfig.NanoCpus': no('--cpus', '--cpus is not allowed in this lab: the lab sets the CPU limit'),
  'HostConfig.CpuShares': no('--cpu-shares'), 'HostConfig.CpuPeriod': no('--cpu-period'), 'HostConfig.CpuQuota': no('--cpu-quota'),
  'HostConfig.CpuRealtimePeriod': no('--cpu-rt-period'), 'HostConfig.CpuRealtimeRuntime': no('--cpu-rt-runtime'),
  'HostConfig.CpusetCpus': no('--cpuset-cpus'), 'HostConfig.CpusetMems': no('--cpuset-mems'),
  'HostConfig.CpuCount': no('--cpu-count'), 'HostConfig.CpuPercent': no('--cpu-percent'),
  'HostConfig.PidsLimit': no('--pids-limit', '--pids-limit is not allowed in this lab: the lab sets the process limit'),
  'HostConfig.BlkioWeight': no('--blkio-weight'), 'HostConfig.BlkioWeightDevice': no('--blkio-weight-device'),
  'HostConfig.BlkioDeviceReadBps': no('--device-read-bps'), 'HostConfig.BlkioDeviceWriteBps': no('--device-write-bps'),
  'HostConfig.BlkioDeviceReadIOps': no('--device-read-iops'), 'HostConfig.BlkioDeviceWriteIOps': no('--device-write-iops'),
  'HostConfig.IOMaximumIOps': no('--io-maxiops'), 'HostConfig.IOMaximumBandwidth': no('--io-maxbandwidth'),
  // The CLI always sends an endpoint for the network it was given ("default"); we force none.
  NetworkingConfig: 'object',
  'NetworkingConfig.EndpointsConfig': no('--network', '--network is not allowed in this lab: containers run without a network'),
};

export const EXEC_CREATE: Record<string, FieldRule> = {
  AttachStdin: 'allow', AttachStdout: 'allow', AttachStderr: 'allow', DetachKeys: 'allow', Tty: 'allow',
  ConsoleSize: 'allow', Env: 'allow', Cmd: 'allow', WorkingDir: 'allow', User: 'allow', Detach: 'allow',
  Privileged: no('--privileged'),
};

export const EXEC_START: Record<string, FieldRule> = { Detach: 'allow', Tty: 'allow', ConsoleSize: 'allow' };

/** Limits on what one learner's containers and builds may use. */
export const LIMITS = {
  /** Containers a learner may have at once (running or stopped). */
  maxContainers: 20,
  /** Images (tags or untagged builds) a learner may own. */
  maxImages: 30,
  /** Builds one learner may run at the same time. */
  concurrentBuilds: 1,
  /** Processes all of one learner's build steps may run together. */
  buildPids: 128,
  /** Memory of a learner container or build step, bytes (swap included: no extra swap). */
  containerMemory: 256 * 1024 ** 2,
  /** Processes in one learner container: a fork bomb stops here. */
  containerPids: 128,
  /**
   * Size of the tmpfs that replaces each volume an image declares (VOLUME), bytes; its pages count
   * against the container's memory limit too, so all of them together hold at most that.
   */
  imageVolumeBytes: 64 * 1024 ** 2,
  /** Volumes an image may declare and still be run. */
  maxImageVolumes: 16,
  /** CPU of one learner container, in units of 1e-9 CPUs. */
  containerNanoCpus: 1_000_000_000,
  /** Largest build context accepted, bytes. The hello-world context is a few KiB. */
  buildContextBytes: 50 * 1024 ** 2,
  /** Largest JSON body accepted, bytes. */
  jsonBodyBytes: 1024 ** 2,
  /**
   * Largest container create body, bytes: what a container is made with comes back in every list
   * and inspect answer the gateway relays (a 1 MB label × 20 containers made `docker ps` 20 MB).
   */
  containerCreateBytes: 256 * 1024,
  /** Labels of one container create or build (keys and values, UTF-8), bytes. */
  labelBytes: 64 * 1024,
  /**
   * The most the gateway holds of one engine answer it must read whole (one list element when it
   * reads a list element by element), bytes. Parsed, it costs a few times that in memory.
   */
  answerBytes: 16 * 1024 ** 2,
  /** Engine answers held at once for one learner, and for the whole server, bytes. */
  learnerAnswerBytes: 32 * 1024 ** 2,
  serverAnswerBytes: 256 * 1024 ** 2,
  /** The workspace container itself. */
  workspaceMemory: 512 * 1024 ** 2,
  workspacePids: 256,
  workspaceNanoCpus: 1_000_000_000,
  /** The workspace's /tmp (a tmpfs, counted in its memory), bytes. */
  workspaceTmpBytes: 64 * 1024 ** 2,
} as const;

/** Label keys the server puts on everything it creates for a learner. */
export const LABELS = {
  learner: 'org.stagecraft.learner',
  role: 'org.stagecraft.role',
} as const;

/**
 * The course's read-only base images per profile, and what may be pulled. Offline, every tag of the
 * lab repositories is a base (`:latest` and the recipe-hash tags); with `docs`, the documents' images.
 * `alone`: where grading runs a learner's program on its own: the toolchain the program was compiled
 * with, so every library it may link is there as the lab shipped it (the first the engine has).
 */
export const BASE_IMAGES = {
  offline: { refs: [], repositories: ['stagecraft/toolchain', 'stagecraft/runtime'], pullable: [], alone: ['stagecraft/toolchain:latest'] },
  docs: { refs: ['alpine:3.7', 'alpine:latest'], repositories: [], pullable: ['alpine:3.7', 'alpine:latest'], alone: ['alpine:3.7', 'alpine:latest'] },
} as const;

/** Quotas an operator may tune (README: settings); the defaults suit the hello-world course. */
export interface Quotas {
  /** Longest a build may run before the gateway stops it, ms. */
  buildTimeoutMs: number;
  /** Bytes of image data a learner may add on top of the base images, plus container writes. */
  imageBytes: number;
  /**
   * Bytes a learner's running containers and build steps may write, all together, and their home
   * folder may hold, on disk.
   * overlay2 on ext4 has no size limit of its own, so a watcher checks every few seconds and stops
   * what has grown past it.
   */
  diskBytes: number;
  /**
   * Files and folders (inodes) a learner's containers and build steps may hold, all together, and
   * their home folder may hold: empty files take no bytes, but the engine's disk runs out of inodes.
   */
  diskFiles: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  buildTimeoutMs: 5 * 60 * 1000,
  imageBytes: 2 * 1024 ** 3,
  diskBytes: 1024 ** 3,
  diskFiles: 200_000,
};
