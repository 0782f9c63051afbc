// Starts a real Stagecraft server for a test, on a free loopback port with its own data folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { readConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/http/index.ts';
import { removeBuildCgroup } from '../../server/sandbox/build-cgroup.ts';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Ids of the learners that have opened a workspace on this server. */
  learners(): string[];
  /** Removes what the server created for its learners in the engine, and its data folder. */
  cleanup(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  // Short, so gateway socket paths stay under the 108-byte limit. A given STAGECRAFT_DATA restarts a server on it.
  const dataDir = env.STAGECRAFT_DATA ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sc-'));
  // No spare learners unless a test asks: tests find their learner as the one new gateway folder.
  const config = readConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', STAGECRAFT_DATA: dataDir, STAGECRAFT_SPARE_WORKSPACES: '0', ...env });
  const running = await startServer(config);
  return {
    ...running,
    dataDir,
    learners: () => learnersOf(dataDir),
    async cleanup() {
      await running.close();
      await removeLearnerObjects(dataDir);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function learnersOf(dataDir: string): string[] {
  const gateways = path.join(dataDir, 'gateways');
  return fs.existsSync(gateways) ? fs.readdirSync(gateways) : [];
}

/** Learners of this data folder are the gateway folders it holds; remove their containers, images and volumes. */
export async function removeLearnerObjects(dataDir: string): Promise<void> {
  const { default: Docker } = await import('dockerode');
  const docker = new Docker();
  const built = builtImages(dataDir);
  for (const learner of learnersOf(dataDir)) {
    const filters = { label: [`org.stagecraft.learner=${learner}`] };
    for (const info of await docker.listContainers({ all: true, filters })) {
      await docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined); // already gone
    }
    for (const info of await docker.listImages({ filters })) {
      await docker.getImage(info.Id).remove({ force: true }).catch(() => undefined); // shared layer or gone
    }
    // The gateway's holds on their stage images (names in no learner's namespace) go first, so those images can.
    for (const info of await docker.listImages({ filters: { reference: [`sc-held-${learner}/*`] } })) {
      for (const tag of (info.RepoTags ?? []).filter((t) => t.startsWith(`sc-held-${learner}/`))) await docker.getImage(tag).remove().catch(() => undefined);
    }
    // Without force: a cache entry shared with another learner (or another test) keeps their names.
    for (const id of built.get(learner) ?? []) await docker.getImage(id).remove().catch(() => undefined);
    await docker.getVolume(`stagecraft-home-${learner}`).remove().catch(() => undefined); // never created
    removeBuildCgroup(learner);
  }
}

/** Images the learners' builds made (earlier stages have neither name nor label), from the server's records. */
function builtImages(dataDir: string): Map<string, string[]> {
  const file = path.join(dataDir, 'stagecraft.db');
  const found = new Map<string, string[]>();
  if (!fs.existsSync(file)) return found;
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    for (const row of db.prepare('SELECT learner_id, image_id FROM build_images ORDER BY rowid DESC').all() as { learner_id: string; image_id: string }[]) {
      found.set(row.learner_id, [...(found.get(row.learner_id) ?? []), row.image_id]);
    }
  } catch {
    // a store from before build records
  } finally {
    db.close();
  }
  return found;
}
