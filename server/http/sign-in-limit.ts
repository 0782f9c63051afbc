// Instructor sign-in limits that slow a guesser down but never lock the instructor out.
//
// A lock per account (N failures for "ada" from anywhere, then refuse "ada") lets anyone lock the
// instructor out by failing on purpose from rotating addresses. So nothing here is keyed on the
// name alone, and nothing refuses for longer than MAX_DELAY_MS:
// - per address: FREE_PER_ADDRESS failures (any names), then a delay doubling from 1 s to 60 s
//   between tries: one address cannot spray names quickly;
// - per (address, name): FREE_PER_PAIR failures, then the same doubling: one address cannot guess
//   one account quickly;
// - per account, without a lock: once an account has UNDER_ATTACK failures in the window, an address
//   that has itself failed in the window may try that account only once per MAX_DELAY_MS. Rotating
//   addresses then buys one fast guess per address, and at most one a minute after that.
// An address that has not failed is never delayed, so the right password from it always succeeds;
// on the attacker's own NAT address the instructor waits at most MAX_DELAY_MS. Failures are
// forgotten WINDOW_MS after the last one. In memory: a restart forgets them (as RateLimit does).
import { BoundedMap } from './rate-limit.ts';

export const SIGN_IN_LIMITS = {
  FREE_PER_ADDRESS: 10,
  FREE_PER_PAIR: 3,
  UNDER_ATTACK: 20,
  MAX_DELAY_MS: 60_000,
  WINDOW_MS: 15 * 60_000,
} as const;

interface Failures { count: number; last: number }

/** Delay after `count` failures of which `free` cost nothing: 1 s, 2 s, 4 s, … up to the maximum. */
const delayAfter = (count: number, free: number) =>
  count < free ? 0 : Math.min(SIGN_IN_LIMITS.MAX_DELAY_MS, 1000 * 2 ** (count - free));

export class SignInLimit {
  readonly #addresses = new BoundedMap<string, Failures>();
  readonly #pairs = new BoundedMap<string, Failures>();
  readonly #accounts = new BoundedMap<string, Failures>();

  /** Milliseconds this address must still wait before trying `name`; 0 when it may try now. */
  wait(address: string, name: string, now = Date.now()): number {
    const byAddress = this.#recent(this.#addresses, address, now);
    const byPair = this.#recent(this.#pairs, `${address}\n${name}`, now);
    const byAccount = this.#recent(this.#accounts, name, now);
    const until = (f: Failures | undefined, delay: number) => (f ? f.last + delay - now : 0);
    return Math.max(0,
      until(byAddress, delayAfter(byAddress?.count ?? 0, SIGN_IN_LIMITS.FREE_PER_ADDRESS)),
      until(byPair, delayAfter(byPair?.count ?? 0, SIGN_IN_LIMITS.FREE_PER_PAIR)),
      // The account's count only ever slows addresses that have failed themselves.
      (byAccount?.count ?? 0) >= SIGN_IN_LIMITS.UNDER_ATTACK ? until(byAddress, SIGN_IN_LIMITS.MAX_DELAY_MS) : 0);
  }

  /**
   * Counts a try as failed before its password is checked (the check awaits scrypt, and parallel
   * tries must not all pass `wait`); `succeeded` takes it back.
   */
  trying(address: string, name: string, now = Date.now()): void {
    this.failed(address, name, now);
  }

  /** Records a wrong name or password. */
  failed(address: string, name: string, now = Date.now()): void {
    for (const [map, key] of [[this.#addresses, address], [this.#pairs, `${address}\n${name}`], [this.#accounts, name]] as const) {
      const entry = this.#recent(map, key, now);
      map.set(key, { count: (entry?.count ?? 0) + 1, last: now });
    }
  }

  /** Records a right password after `trying`: that try is taken back, and this address's failures for the name are forgiven. */
  succeeded(address: string, name: string): void {
    this.#pairs.delete(`${address}\n${name}`);
    for (const [map, key] of [[this.#addresses, address], [this.#accounts, name]] as const) {
      const entry = map.get(key);
      if (entry && entry.count > 1) map.set(key, { ...entry, count: entry.count - 1 });
      else map.delete(key);
    }
  }

  #recent(map: BoundedMap<string, Failures>, key: string, now: number): Failures | undefined {
    const entry = map.get(key);
    if (entry && now - entry.last > SIGN_IN_LIMITS.WINDOW_MS) return void map.delete(key);
    return entry;
  }
}
