/**
 * CPU time of the whole machine and of each program on it, read from /proc (Linux): a drain's
 * figure in msg/s says how fast it went; this says what each message cost every process together
 * (CaseDesk, PostgreSQL, Redis, Dovecot), which a busy 2-core machine hides in the rate.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

export interface CpuSnapshot {
  /** Busy (non-idle, non-iowait) milliseconds of all cores since boot. */
  busyMs: number;
  /** Context switches of all cores since boot. */
  switches: number;
  /** user+system milliseconds by program name (`comm`), summed over its live processes. */
  byProgram: Map<string, number>;
}

function programs(): Map<string, number> {
  const by = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    // Fields after the name start at field 3 (state): utime is field 14, stime 15.
    const ms = (Number(f[11]) + Number(f[12])) * TICK_MS;
    by.set(comm, (by.get(comm) ?? 0) + ms);
  }
  return by;
}

export function cpuSnapshot(): CpuSnapshot | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'latin1');
  } catch {
    return null;
  }
  const line = stat.split('\n')[0];
  const switches = Number(/^ctxt (\d+)/m.exec(stat)?.[1] ?? 0);
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busyMs: (user + nice + system + irq + softirq + steal) * TICK_MS, switches, byProgram: programs() };
}

/** Milliseconds of CPU a message between two snapshots: the machine's, and the largest programs'. */
export function cpuPerMessage(a: CpuSnapshot | null, b: CpuSnapshot | null, messages: number): string {
  if (!a || !b || messages === 0) return '';
  const per = (ms: number) => (ms / messages).toFixed(1);
  const progs = [...b.byProgram].map(([name, ms]) => [name, ms - (a.byProgram.get(name) ?? 0)] as const)
    .filter(([, ms]) => ms > 0).sort((x, y) => y[1] - x[1]).slice(0, 5);
  return `machine CPU ${per(b.busyMs - a.busyMs)} ms/msg, ${((b.switches - a.switches) / messages).toFixed(0)} context switches/msg (${progs.map(([n, ms]) => `${n} ${per(ms)}`).join(', ')})`;
}
