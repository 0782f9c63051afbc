// A fixed-window counter per key (an address, a name): enough to make guessing passwords and join
// codes slow. In memory: a restart resets it, which costs a guesser nothing they did not have.
import { isIPv6 } from 'node:net';

/** Keys kept per limiter; past this the oldest go first, so a spray of addresses cannot grow memory. */
const MAX_KEYS = 10_000;

/** A Map that forgets its oldest entries past `max`: an attacker with many addresses only resets their own counts. */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly #max: number;

  constructor(max = MAX_KEYS) {
    super();
    this.#max = max;
  }

  override set(key: K, value: V): this {
    this.delete(key); // re-inserted last: the most recently used stays longest
    while (this.size >= this.#max) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}

/**
 * The key an address is counted under: IPv4 as it is (an IPv4-mapped IPv6 address too), IPv6 by its
 * /64, the smallest block a host is usually given (one host has billions of addresses in it).
 */
export function addressKey(remoteAddress: string | undefined): string {
  const address = (remoteAddress ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class RateLimit {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #hits = new BoundedMap<string, { count: number; until: number }>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts one try for `key`; false once the key has used up its window. */
  take(key: string, now = Date.now()): boolean {
    const entry = this.#hits.get(key);
    if (!entry || entry.until <= now) {
      this.#hits.set(key, { count: 1, until: now + this.#windowMs });
      return true;
    }
    entry.count++;
    return entry.count <= this.#limit;
  }

  /** Whether `key` has used up its window (without counting a try). */
  exhausted(key: string, now = Date.now()): boolean {
    const entry = this.#hits.get(key);
    return entry !== undefined && entry.until > now && entry.count >= this.#limit;
  }

  /** Milliseconds until `key`'s window ends (0 when it has none). */
  retryAfter(key: string, now = Date.now()): number {
    const entry = this.#hits.get(key);
    return entry && entry.until > now ? entry.until - now : 0;
  }
}
