// A test file's own Docker engine with a server on it: started before the file's tests, stopped
// (with the server's data) after them. For faults that must not touch the main engine.
import fs from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from './server.ts';
import { startEngine, type EngineOptions, type TestEngine } from './engine.ts';

export interface OwnEngine {
  engine: TestEngine;
  server: TestServer;
}

/** Registers the file's beforeAll and afterAll; the returned object is filled in before the tests run. */
export function ownEngineWithServer(options: EngineOptions, env: Record<string, string> = {}): OwnEngine {
  const own = {} as OwnEngine;
  beforeAll(async () => {
    own.engine = await startEngine(options);
    own.server = await startTestServer({ STAGECRAFT_ENGINES: own.engine.url, ...env });
  }, 240_000);
  afterAll(async () => {
    own.engine?.thaw();
    await own.server?.close().catch(() => undefined);
    if (own.server) fs.rmSync(own.server.dataDir, { recursive: true, force: true });
    await own.engine?.stop();
  });
  return own;
}
