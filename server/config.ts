// Server settings, read once from the environment (names and defaults are the design's UI contract).
import path from 'node:path';
import { parseEndpoint, type EngineEndpoint } from './sandbox/index.ts';

export type Profile = 'offline' | 'docs';

export interface Config {
  /** TCP port of the site and APIs. */
  port: number;
  /** Address to listen on; loopback by default so a laptop run is not exposed to the LAN. */
  host: string;
  /** Which base images the lessons use. */
  profile: Profile;
  /** Extra origins allowed to open the terminal socket, besides the served one; the first is the
   * address learners open, shown in join links. Each is a bare origin (scheme, host, port). */
  extraOrigins: string[];
  /** Folder for the SQLite file and per-learner gateway sockets. */
  dataDir: string;
  /** Docker Engine endpoints, in the operator's order: the pool learners are pinned into. */
  engines: EngineEndpoint[];
  /** Folder with the built site (Astro's dist/). */
  siteDir: string;
  /** The project folder: lessons/ lives here. */
  root: string;
  /** Idle stop, removal and home retention of workspaces, ms. */
  lifecycle: { idleStopMs: number; removeAfterMs: number; homeRetentionMs: number };
  /** An instructor to create (or reset) at start-up, from STAGECRAFT_INSTRUCTOR=name:password. */
  instructor?: { name: string; password: string };
  /** How shells are opened: `relay` (socat in the workspace, bytes bypass the engine), `engine` (the
   * engine API's exec stream) or `pty` (node-pty running docker exec). */
  shell: 'relay' | 'engine' | 'pty';
  /** How long an engine may be too slow to answer health checks before it is marked down, ms. */
  engineDownAfterMs: number;
  /** Learners made ahead with their workspace running, for the next new visitors (0: none). */
  spareWorkspaces: number;
  /** Per-learner quotas an operator may tune. */
  quotas: { buildTimeoutMs: number; imageBytes: number; diskBytes: number; diskFiles: number };
  /** Limits on what visitors can make the server hold. */
  visitors: {
    /** Workspaces of this server running at once; past it, only learners whose workspace runs get in. Default 100. */
    maxWorkspaces: number;
    /** New learners one address (an IPv6 /64) may start per 10 minutes. Default 120 (a class of 60 behind one NAT, twice). */
    newLearnersPerAddress: number;
  };
}

/** Thrown at start-up with one sentence for the operator; never for learner input. */
export class ConfigError extends Error {}

export function readConfig(env: NodeJS.ProcessEnv = process.env, root = process.cwd()): Config {
  const port = env.PORT === undefined ? 4321 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${env.PORT}".`);
  const profile = env.STAGECRAFT_PROFILE ?? 'offline';
  if (profile !== 'offline' && profile !== 'docs') throw new ConfigError(`STAGECRAFT_PROFILE must be "offline" or "docs", got "${profile}".`);
  // The Docker client library reads these itself and would let them replace our endpoints.
  const docker = ['DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY'].filter((name) => env[name] !== undefined);
  if (docker.length > 0) throw new ConfigError(`${docker.join(', ')} set in the server's environment: the server reaches engines only through STAGECRAFT_ENGINES (and STAGECRAFT_ENGINE_CERTS), so unset ${docker.length > 1 ? 'them' : 'it'}.`);
  const engines = readEngines(env.STAGECRAFT_ENGINES ?? 'unix:///var/run/docker.sock', env.STAGECRAFT_ENGINE_CERTS);
  const positive = (name: string, fallback: number, unit: string, scale: number) => {
    const text = env[name];
    if (text === undefined) return fallback * scale;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number of ${unit}, got "${text}".`);
    return value * scale;
  };
  const seconds = (name: string, fallback: number) => positive(name, fallback, 'seconds', 1000);
  const count = (name: string, fallback: number) => {
    const text = env[name];
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new ConfigError(`${name} must be a whole number of at least 1, got "${text}".`);
    return Number(text);
  };
  const countOrNone = (name: string, fallback: number) => {
    const text = env[name];
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text.trim()) || Number(text) > 10) throw new ConfigError(`${name} must be a whole number from 0 to 10, got "${text}".`);
    return Number(text);
  };
  const megabytes = (name: string, fallback: number) => positive(name, fallback, 'megabytes', 1024 ** 2);
  const instructorSetting = env.STAGECRAFT_INSTRUCTOR;
  let instructor: Config['instructor'];
  if (instructorSetting !== undefined) {
    const colon = instructorSetting.indexOf(':');
    if (colon < 1 || colon === instructorSetting.length - 1) throw new ConfigError('STAGECRAFT_INSTRUCTOR must be name:password.');
    instructor = { name: instructorSetting.slice(0, colon), password: instructorSetting.slice(colon + 1) };
  }
  const shell = env.STAGECRAFT_SHELL ?? 'relay';
  if (shell !== 'relay' && shell !== 'engine' && shell !== 'pty') throw new ConfigError(`STAGECRAFT_SHELL must be "relay", "engine" or "pty", got "${shell}".`);
  return {
    port,
    instructor,
    shell,
    host: env.HOST ?? '127.0.0.1',
    profile,
    extraOrigins: readOrigins(env.STAGECRAFT_ORIGINS ?? ''),
    dataDir: path.resolve(root, env.STAGECRAFT_DATA ?? '.stagecraft/data'),
    engines,
    siteDir: path.resolve(root, 'dist'),
    root: path.resolve(root),
    lifecycle: {
      idleStopMs: seconds('STAGECRAFT_IDLE_STOP_SECONDS', 30 * 60),
      removeAfterMs: seconds('STAGECRAFT_REMOVE_AFTER_SECONDS', 7 * 24 * 3600),
      homeRetentionMs: seconds('STAGECRAFT_HOME_RETENTION_SECONDS', 30 * 24 * 3600),
    },
    engineDownAfterMs: seconds('STAGECRAFT_ENGINE_DOWN_AFTER_SECONDS', 60),
    spareWorkspaces: countOrNone('STAGECRAFT_SPARE_WORKSPACES', 1),
    quotas: {
      buildTimeoutMs: seconds('STAGECRAFT_BUILD_TIMEOUT_SECONDS', 300),
      imageBytes: megabytes('STAGECRAFT_IMAGE_QUOTA_MB', 2048),
      diskBytes: megabytes('STAGECRAFT_DISK_QUOTA_MB', 1024),
      diskFiles: count('STAGECRAFT_DISK_FILES', 200_000),
    },
    visitors: {
      maxWorkspaces: count('STAGECRAFT_MAX_WORKSPACES', 100),
      newLearnersPerAddress: count('STAGECRAFT_NEW_LEARNERS_PER_ADDRESS', 120),
    },
  };
}

/** STAGECRAFT_ORIGINS as bare origins: a path or a typo would otherwise end up in every join link. */
function readOrigins(list: string): string[] {
  return list.split(',').map((o) => o.trim()).filter(Boolean).map((text) => {
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      // not a URL at all: the message below says what is expected
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
      throw new ConfigError(`STAGECRAFT_ORIGINS: "${text}" is not an origin: write it as the address learners open, like http://192.0.2.10:4321 (no path).`);
    }
    return url.origin;
  });
}

function readEngines(list: string, certDir: string | undefined): EngineEndpoint[] {
  const urls = list.split(',').map((u) => u.trim());
  if (urls.some((u) => u === '')) throw new ConfigError(`STAGECRAFT_ENGINES has an empty entry: "${list}".`);
  const twice = urls.find((u, i) => urls.indexOf(u) !== i);
  if (twice) throw new ConfigError(`STAGECRAFT_ENGINES lists ${twice} twice.`);
  return urls.map((url) => {
    try {
      return parseEndpoint(url, certDir === undefined ? undefined : path.resolve(certDir));
    } catch (error) {
      throw new ConfigError(`STAGECRAFT_ENGINES: ${(error as Error).message}.`);
    }
  });
}
