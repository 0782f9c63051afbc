// An engine's health from its probes, as a pure rule: an engine that refuses connections is down at
// once; one that is only slow (no answer in time, as under a build storm on two cores) is down only
// once it has stayed slow for a whole window; one answer makes it up again.

export interface Health {
  /** Whether the engine answers; undefined until a first probe decides either way. */
  up: boolean | undefined;
  /** When the engine began to miss probes by being too slow, if it is missing them now. */
  slowSince: number | undefined;
}

/** What one probe found: an answer, a refused (or cut) connection, or no answer in time. */
export type Probe = 'answered' | 'refused' | 'slow';

export type HealthEvent = 'engine_up' | 'engine_slow' | 'engine_down';

/** The health after a probe at `now`, with the events to log (in order). */
export function afterProbe(health: Health, probe: Probe, now: number, downAfterMs: number): { health: Health; events: HealthEvent[] } {
  if (probe === 'answered') return { health: { up: true, slowSince: undefined }, events: health.up === true ? [] : ['engine_up'] };
  if (probe === 'refused') return markedDown(health);
  const slowSince = health.slowSince ?? now;
  const events: HealthEvent[] = health.slowSince === undefined ? ['engine_slow'] : [];
  if (now - slowSince < downAfterMs) return { health: { up: health.up, slowSince }, events };
  const down = markedDown({ up: health.up, slowSince });
  return { health: down.health, events: [...events, ...down.events] };
}

/** Down, whatever the window says (nothing listens); logged once. */
export function markedDown(health: Health): { health: Health; events: HealthEvent[] } {
  return { health: { up: false, slowSince: health.slowSince }, events: health.up === false ? [] : ['engine_down'] };
}
