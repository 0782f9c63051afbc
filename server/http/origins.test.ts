import { describe, expect, it } from 'vitest';
import { allowedOrigins, publicOrigin } from './origins.ts';

describe('allowedOrigins', () => {
  it('allows the loopback names of a loopback host', () => {
    expect([...allowedOrigins('127.0.0.1', 4321, [])].sort()).toEqual(['http://127.0.0.1:4321', 'http://[::1]:4321', 'http://localhost:4321']);
  });

  it('allows only the configured origins when listening on every address', () => {
    expect([...allowedOrigins('0.0.0.0', 4321, ['http://192.0.2.10:4321/'])]).toEqual(['http://192.0.2.10:4321']);
  });

  it('allows a named host on its port', () => {
    expect(allowedOrigins('lab.example', 8080, []).has('http://lab.example:8080')).toBe(true);
    expect(allowedOrigins('lab.example', 8080, []).has('http://localhost:8080')).toBe(false);
  });
});

describe('publicOrigin', () => {
  it('is the first configured origin, else the served one', () => {
    expect(publicOrigin('0.0.0.0', 4321, ['http://192.0.2.10:4321', 'http://lab.example:4321'])).toBe('http://192.0.2.10:4321');
    expect(publicOrigin('127.0.0.1', 4321, [])).toBe('http://127.0.0.1:4321');
    expect(publicOrigin('::1', 8080, [])).toBe('http://[::1]:8080');
  });
});
