// One learner's Docker API gateway on a Unix socket: the HTTP transport around LearnerGateway.
// Bytes are spliced only after an attach/exec upgrade has been allowed (handlers.ts).
import fs from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { GatewayOptions } from './context.ts';
import { LearnerGateway } from './handlers.ts';
import { AnswerTooLarge } from './engine.ts';
import { sendJson, writeRawJson } from './respond.ts';

export type { GatewayOptions, BaseImages } from './context.ts';

/** Connections one learner's gateway accepts at once (a docker run uses 3 or 4). */
const MAX_CONNECTIONS = 32;

/** An engine answer the gateway had to read whole did not fit in the learner's share of memory. */
const TOO_LARGE = 'Stagecraft: the engine\'s answer about your containers and images is too large to hold right now: try again once your other docker commands have finished, and remove objects with very large labels or commands (docker container prune, docker image prune -a)';

export interface Gateway {
  /** Stops listening and cuts every connection, upgraded ones included. */
  close(): Promise<void>;
}

export function createGatewayServer(options: GatewayOptions): http.Server {
  const gateway = new LearnerGateway(options);
  const server = http.createServer((req, res) => {
    gateway.handle(req, res).catch((error: unknown) => {
      if (error instanceof AnswerTooLarge) {
        console.info(JSON.stringify({ event: 'answer_too_large', learner: options.learnerId, reason: error.message }));
        if (!res.headersSent) return sendJson(res, 503, { message: TOO_LARGE });
        return void res.destroy();
      }
      console.error('gateway: unexpected error', error);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: 'Stagecraft: internal error in the lab gateway' }));
      } else res.destroy();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    gateway.upgrade(req, socket, head).catch((error: unknown) => {
      if (error instanceof AnswerTooLarge) return writeRawJson(socket, 503, { message: TOO_LARGE });
      console.error('gateway: unexpected error on upgrade', error);
      socket.destroy();
    });
  });
  return server;
}

/** Listens on `socketPath`, which the learner's uid must be able to connect to. */
export async function listenGateway(socketPath: string, options: GatewayOptions): Promise<Gateway> {
  const server = createGatewayServer(options);
  // One learner's processes must not use up the server's file descriptors: the CLI needs a handful.
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  // Upgraded (attach/exec) sockets leave the HTTP server's books; track every socket to close them all.
  const connections = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  // Only this learner's workspace mounts the folder, so the socket itself can be open to its uid.
  await fs.chmod(socketPath, 0o666);
  return {
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of connections) socket.destroy();
    }),
  };
}
