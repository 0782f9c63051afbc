// CPU used by every process on the machine, grouped by name, between two snapshots from /proc:
// where the cores went during a bench (dockerd, containerd-shim, kernel workers, the server).
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export type CpuSnapshot = { at: number; ticks: Map<string, number> };

export function cpuSnapshot(): CpuSnapshot {
  const ticks = new Map<string, number>();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[/:-].*$/, ''); // kworker/u8:1-events → kworker
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks.set(name, (ticks.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
  }
  return { at: performance.now(), ticks };
}

/** The busiest process names between two snapshots, as a share of one core. Processes that ended in between are missed. */
export function cpuShares(from: CpuSnapshot, to: CpuSnapshot, top = 6): string {
  const seconds = (to.at - from.at) / 1000;
  return [...to.ticks]
    .map(([name, t]) => [name, (t - (from.ticks.get(name) ?? 0)) / TICKS_PER_SECOND / seconds] as const)
    .filter(([, share]) => share > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, share]) => `${name} ${(share * 100).toFixed(0)}%`)
    .join(', ');
}
