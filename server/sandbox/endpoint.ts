// A Docker Engine endpoint: a Unix socket, or TCP with mutual TLS (Docker's own DOCKER_CERT_PATH
// layout: ca.pem, cert.pem, key.pem). Plain TCP is refused: an unauthenticated engine is root on its host.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type Docker from 'dockerode';

export type EngineEndpoint =
  | { kind: 'unix'; url: string; socketPath: string }
  | { kind: 'tcp'; url: string; host: string; port: number; certDir: string; tls: { ca: Buffer; cert: Buffer; key: Buffer } };

const CERT_FILES = ['ca.pem', 'cert.pem', 'key.pem'] as const;

/** Parses one endpoint; throws an Error whose message names what is wrong (config turns it into one sentence). */
export function parseEndpoint(text: string, certDir: string | undefined): EngineEndpoint {
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    if (!path.isAbsolute(socketPath)) throw new Error(`"${text}" must name an absolute socket path, as unix:///var/run/docker.sock`);
    return { kind: 'unix', url: text, socketPath };
  }
  const tcp = /^tcp:\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(text);
  if (!tcp) throw new Error(`"${text}" is neither unix:///path nor tcp://host:port`);
  const port = Number(tcp[2]);
  if (port < 1 || port > 65_535) throw new Error(`"${text}" has no valid port`);
  if (!certDir) throw new Error(`"${text}" needs STAGECRAFT_ENGINE_CERTS, a folder with ca.pem, cert.pem and key.pem (plain TCP is not allowed)`);
  const missing = CERT_FILES.filter((file) => !fs.existsSync(path.join(certDir, file)));
  if (missing.length > 0) throw new Error(`STAGECRAFT_ENGINE_CERTS (${certDir}) lacks ${missing.join(', ')}`);
  const [ca, cert, key] = CERT_FILES.map((file) => fs.readFileSync(path.join(certDir, file)));
  return { kind: 'tcp', url: text, host: tcp[1]!.replace(/^\[|\]$/g, ''), port, certDir, tls: { ca: ca!, cert: cert!, key: key! } };
}

/**
 * Options for dockerode's client. Every connection setting is named, undefined when unused:
 * docker-modem fills missing ones from DOCKER_HOST, DOCKER_CERT_PATH and the like in the server's
 * environment, and a host from there would silently replace our socket (even with plain TCP).
 */
export function dockerodeOptions(endpoint: EngineEndpoint): Docker.DockerOptions {
  const none = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined, version: undefined, timeout: undefined };
  return endpoint.kind === 'unix'
    ? { ...none, socketPath: endpoint.socketPath }
    : { ...none, protocol: 'https', host: endpoint.host, port: endpoint.port, ...endpoint.tls };
}

/** An HTTP request to the engine over its endpoint (the caller adds method, path and headers). */
export function engineRequest(endpoint: EngineEndpoint, options: http.RequestOptions): http.ClientRequest {
  return endpoint.kind === 'unix'
    ? http.request({ ...options, socketPath: endpoint.socketPath })
    // The Host header names the engine, so TLS checks the certificate against it (not a placeholder).
    : https.request({ ...options, host: endpoint.host, port: endpoint.port, ...endpoint.tls, headers: { ...options.headers, Host: hostHeader(endpoint) } });
}

const hostHeader = (endpoint: { host: string; port: number }) =>
  `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;

/** The environment the docker CLI needs to reach the endpoint (and nothing else of the server's). */
export function cliEnvironment(endpoint: EngineEndpoint): Record<string, string> {
  return endpoint.kind === 'unix'
    ? { DOCKER_HOST: endpoint.url }
    : { DOCKER_HOST: endpoint.url, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: endpoint.certDir };
}
