import { describe, expect, it } from 'vitest';
import { SIGN_IN_LIMITS, SignInLimit } from './sign-in-limit.ts';

const { FREE_PER_PAIR, FREE_PER_ADDRESS, UNDER_ATTACK, MAX_DELAY_MS, WINDOW_MS } = SIGN_IN_LIMITS;

describe('SignInLimit', () => {
  it('never delays an address that has not failed, however often the account was attacked from elsewhere', () => {
    const limit = new SignInLimit();
    for (let i = 0; i < 500; i++) limit.failed(`198.51.100.${i % 250}/${i}`, 'ada', 0);
    expect(limit.wait('192.0.2.7', 'ada', 1)).toBe(0);
  });

  it('slows one address guessing one name: free tries, then a doubling delay up to a minute, never a lock', () => {
    const limit = new SignInLimit();
    let now = 0;
    for (let i = 0; i < FREE_PER_PAIR; i++) {
      expect(limit.wait('a', 'ada', now)).toBe(0);
      limit.failed('a', 'ada', now);
    }
    expect(limit.wait('a', 'ada', now)).toBe(1000);
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      now += limit.wait('a', 'ada', now);
      limit.failed('a', 'ada', now);
      delays.push(limit.wait('a', 'ada', now));
    }
    expect(delays).toEqual([2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000, 60000]);
    expect(limit.wait('a', 'ada', now + MAX_DELAY_MS)).toBe(0);
    // Another name from the same address waits only for the address's own count (13 failures: 8 s).
    expect(limit.wait('a', 'bob', now)).toBe(1000 * 2 ** (FREE_PER_PAIR + 10 - FREE_PER_ADDRESS));
  });

  it('slows one address spraying many names', () => {
    const limit = new SignInLimit();
    for (let i = 0; i < FREE_PER_ADDRESS; i++) {
      expect(limit.wait('a', `name${i}`, i)).toBe(0);
      limit.failed('a', `name${i}`, i);
    }
    expect(limit.wait('a', 'fresh-name', FREE_PER_ADDRESS)).toBeGreaterThan(0);
    expect(limit.wait('b', 'fresh-name', FREE_PER_ADDRESS)).toBe(0);
  });

  it('an account under attack slows only the addresses that have failed: one try a minute each', () => {
    const limit = new SignInLimit();
    for (let i = 0; i < UNDER_ATTACK; i++) limit.failed(`rotating-${i}`, 'ada', 1000);
    expect(limit.wait('rotating-3', 'ada', 2000)).toBe(MAX_DELAY_MS - 1000);
    expect(limit.wait('rotating-3', 'ada', 1000 + MAX_DELAY_MS)).toBe(0);
    expect(limit.wait('instructor', 'ada', 2000)).toBe(0);
    // Below the threshold a single failure costs an address nothing for that account.
    const quiet = new SignInLimit();
    quiet.failed('x', 'ada', 0);
    expect(quiet.wait('x', 'ada', 1)).toBe(0);
  });

  it('forgets failures after the window, and forgives a pair on the right password', () => {
    const limit = new SignInLimit();
    for (let i = 0; i < 8; i++) limit.failed('a', 'ada', 0);
    expect(limit.wait('a', 'ada', 1)).toBeGreaterThan(0);
    expect(limit.wait('a', 'ada', WINDOW_MS + 1)).toBe(0);
    for (let i = 0; i < FREE_PER_PAIR + 1; i++) limit.failed('b', 'ada', 0);
    limit.succeeded('b', 'ada');
    expect(limit.wait('b', 'ada', 1)).toBe(0);
  });

  it('counts a try before its password is checked, and takes it back when the password was right', () => {
    const limit = new SignInLimit();
    for (let i = 0; i < FREE_PER_PAIR; i++) limit.trying('a', 'ada', 0); // parallel tries, none answered yet
    expect(limit.wait('a', 'ada', 0)).toBeGreaterThan(0);
    limit.succeeded('a', 'ada');
    expect(limit.wait('a', 'ada', 0)).toBe(0);
  });
});
