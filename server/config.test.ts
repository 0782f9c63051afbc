import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';

describe('readConfig', () => {
  it('has the documented defaults', () => {
    const config = readConfig({}, '/srv/app');
    expect(config).toMatchObject({ port: 4321, host: '127.0.0.1', profile: 'offline', extraOrigins: [], engineSocket: '/var/run/docker.sock', dataDir: '/srv/app/.stagecraft/data' });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number'],
    [{ PORT: '70000' }, 'PORT must be a whole number'],
    [{ STAGECRAFT_PROFILE: 'cloud' }, 'STAGECRAFT_PROFILE must be "offline" or "docs"'],
    [{ STAGECRAFT_ENGINES: 'tcp://192.0.2.1:2376' }, 'only unix:// endpoints'],
    [{ STAGECRAFT_SHELL: 'ssh' }, 'STAGECRAFT_SHELL must be "engine" or "pty"'],
    [{ STAGECRAFT_INSTRUCTOR: 'nopassword' }, 'STAGECRAFT_INSTRUCTOR must be name:password'],
    [{ STAGECRAFT_DISK_QUOTA_MB: '-5' }, 'STAGECRAFT_DISK_QUOTA_MB must be a positive number of megabytes'],
  ])('refuses %o with one sentence', (env, message) => {
    expect(() => readConfig(env, '/srv/app')).toThrow(ConfigError);
    expect(() => readConfig(env, '/srv/app')).toThrow(message);
  });
});
