import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';

describe('readConfig', () => {
  it('has the documented defaults', () => {
    const config = readConfig({}, '/srv/app');
    expect(config).toMatchObject({ port: 4321, host: '127.0.0.1', profile: 'offline', extraOrigins: [], engines: [{ kind: 'unix', socketPath: '/var/run/docker.sock' }], dataDir: '/srv/app/.stagecraft/data' });
    expect(config.visitors).toEqual({ maxWorkspaces: 100, newLearnersPerAddress: 120 });
    expect(config.engineDownAfterMs).toBe(60_000);
    expect(readConfig({ STAGECRAFT_ENGINE_DOWN_AFTER_SECONDS: '120' }, '/srv/app').engineDownAfterMs).toBe(120_000);
  });

  it('reads STAGECRAFT_ORIGINS as bare origins, in order', () => {
    expect(readConfig({ STAGECRAFT_ORIGINS: ' https://Lab.Example/ ,http://192.0.2.10:4321' }, '/srv/app').extraOrigins).toEqual(['https://lab.example', 'http://192.0.2.10:4321']);
  });

  it('reads the visitor limits', () => {
    expect(readConfig({ STAGECRAFT_MAX_WORKSPACES: '250', STAGECRAFT_NEW_LEARNERS_PER_ADDRESS: '400' }, '/srv/app').visitors).toEqual({ maxWorkspaces: 250, newLearnersPerAddress: 400 });
    expect(readConfig({}, '/srv/app').spareWorkspaces).toBe(1);
    expect(readConfig({ STAGECRAFT_SPARE_WORKSPACES: '0' }, '/srv/app').spareWorkspaces).toBe(0);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number'],
    [{ PORT: '70000' }, 'PORT must be a whole number'],
    [{ STAGECRAFT_PROFILE: 'cloud' }, 'STAGECRAFT_PROFILE must be "offline" or "docs"'],
    [{ STAGECRAFT_ENGINES: 'tcp://192.0.2.1:2376' }, 'needs STAGECRAFT_ENGINE_CERTS'],
    [{ STAGECRAFT_ENGINES: 'tcp://192.0.2.1:2376', STAGECRAFT_ENGINE_CERTS: '/nonexistent' }, 'lacks ca.pem, cert.pem, key.pem'],
    [{ STAGECRAFT_ENGINES: 'http://192.0.2.1:2375' }, 'is neither unix:///path nor tcp://host:port'],
    [{ STAGECRAFT_ENGINES: 'unix://docker.sock' }, 'absolute socket path'],
    [{ STAGECRAFT_ENGINES: 'unix:///a.sock,,unix:///b.sock' }, 'empty entry'],
    [{ STAGECRAFT_ENGINES: 'unix:///a.sock, unix:///a.sock' }, 'lists unix:///a.sock twice'],
    [{ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, 'DOCKER_HOST set in the server\'s environment'],
    [{ DOCKER_CERT_PATH: '/certs', DOCKER_TLS_VERIFY: '1' }, 'DOCKER_CERT_PATH, DOCKER_TLS_VERIFY set'],
    [{ STAGECRAFT_ORIGINS: '192.0.2.10:4321' }, 'STAGECRAFT_ORIGINS: "192.0.2.10:4321" is not an origin: write it as the address learners open, like http://192.0.2.10:4321 (no path).'],
    [{ STAGECRAFT_ORIGINS: 'http://192.0.2.10:4321/lab' }, 'STAGECRAFT_ORIGINS: "http://192.0.2.10:4321/lab" is not an origin'],
    [{ STAGECRAFT_ORIGINS: 'ftp://192.0.2.10' }, 'STAGECRAFT_ORIGINS: "ftp://192.0.2.10" is not an origin'],
    [{ STAGECRAFT_SHELL: 'ssh' }, 'STAGECRAFT_SHELL must be "relay", "engine" or "pty"'],
    [{ STAGECRAFT_INSTRUCTOR: 'nopassword' }, 'STAGECRAFT_INSTRUCTOR must be name:password'],
    [{ STAGECRAFT_ENGINE_DOWN_AFTER_SECONDS: 'soon' }, 'STAGECRAFT_ENGINE_DOWN_AFTER_SECONDS must be a positive number of seconds'],
    [{ STAGECRAFT_DISK_QUOTA_MB: '-5' }, 'STAGECRAFT_DISK_QUOTA_MB must be a positive number of megabytes'],
    [{ STAGECRAFT_MAX_WORKSPACES: '0' }, 'STAGECRAFT_MAX_WORKSPACES must be a whole number of at least 1, got "0".'],
    [{ STAGECRAFT_SPARE_WORKSPACES: '11' }, 'STAGECRAFT_SPARE_WORKSPACES must be a whole number from 0 to 10, got "11".'],
    [{ STAGECRAFT_SPARE_WORKSPACES: '-1' }, 'STAGECRAFT_SPARE_WORKSPACES must be a whole number from 0 to 10, got "-1".'],
    [{ STAGECRAFT_MAX_WORKSPACES: '12.5' }, 'STAGECRAFT_MAX_WORKSPACES must be a whole number of at least 1, got "12.5".'],
    [{ STAGECRAFT_MAX_WORKSPACES: '' }, 'STAGECRAFT_MAX_WORKSPACES must be a whole number of at least 1, got "".'],
    [{ STAGECRAFT_NEW_LEARNERS_PER_ADDRESS: 'lots' }, 'STAGECRAFT_NEW_LEARNERS_PER_ADDRESS must be a whole number of at least 1, got "lots".'],
  ])('refuses %o with one sentence', (env, message) => {
    expect(() => readConfig(env, '/srv/app')).toThrow(ConfigError);
    expect(() => readConfig(env, '/srv/app')).toThrow(message);
  });

  it('reads a pool of engines, TCP ones with their TLS files', () => {
    const certs = fs.mkdtempSync(path.join(os.tmpdir(), 'certs-'));
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(certs, file), file);
    const { engines } = readConfig({ STAGECRAFT_ENGINES: 'unix:///run/a.sock, tcp://[::1]:2376', STAGECRAFT_ENGINE_CERTS: certs }, '/srv/app');
    expect(engines).toMatchObject([
      { kind: 'unix', url: 'unix:///run/a.sock', socketPath: '/run/a.sock' },
      { kind: 'tcp', url: 'tcp://[::1]:2376', host: '::1', port: 2376, certDir: certs, tls: { ca: Buffer.from('ca.pem') } },
    ]);
    fs.rmSync(certs, { recursive: true });
  });
});
