import type { ChaosOptions, Rng } from './options.ts';
import type { Supervisor } from './processes.ts';
import type { DovecotService, RedisService } from './services.ts';
import { sleep, type Timeline } from './util.ts';

export type FaultKind = 'kill' | 'kill-leader' | 'redis-restart' | 'dovecot-restart' | 'uidvalidity' | 'pg-kill';

export interface Fault {
  at: number;
  kind: FaultKind;
  /** kill: which slot (by index among the slots) and how long it stays dead. */
  slot?: number;
  pauseMs?: number;
  done?: boolean;
  result?: Record<string, unknown>;
}

/**
 * The fault schedule, from the seed: a SIGKILL of a random CaseDesk process every few seconds
 * (restarted after 1–3 s), kills of the ingest leader (takeover), and one each of a Redis restart,
 * a Dovecot restart, a PostgreSQL connection kill and a UIDVALIDITY change, in separate bands of
 * the load window (milliseconds from its start).
 */
export function planFaults(rng: Rng, options: ChaosOptions, windowMs: number, slotCount: number): Fault[] {
  const faults: Fault[] = [];
  for (let t = windowMs * 0.08; t < windowMs * 0.95; t += rng.between(options.killEvery[0], options.killEvery[1]) * 1000) {
    faults.push({ at: t, kind: 'kill', slot: rng.int(0, slotCount - 1), pauseMs: rng.int(1_000, 3_000) });
  }
  const band = (a: number, b: number) => windowMs * rng.between(a, b);
  const leaderBands: Array<[number, number]> = options.quick ? [[0.2, 0.3]] : [[0.2, 0.3], [0.62, 0.7]];
  for (const [a, b] of leaderBands) faults.push({ at: band(a, b), kind: 'kill-leader', pauseMs: rng.int(1_000, 3_000) });
  faults.push({ at: band(0.34, 0.42), kind: 'redis-restart', pauseMs: rng.int(1_000, 3_000) });
  faults.push({ at: band(0.46, 0.52), kind: 'dovecot-restart', pauseMs: rng.int(1_000, 3_000) });
  faults.push({ at: band(0.55, 0.6), kind: 'pg-kill' });
  faults.push({ at: band(0.75, 0.85), kind: 'uidvalidity' });
  return faults.sort((a, b) => a.at - b.at);
}

export interface FaultDeps {
  supervisor: Supervisor;
  redis: RedisService;
  /** The Redis restart loses its data (--redis-data-loss). */
  redisDataLoss: boolean;
  dovecot: DovecotService;
  timeline: Timeline;
  /** Pause/resume LMTP deliveries (a real MTA queues while the server is down). */
  pauseDelivery(paused: boolean): void;
  /** Outbox rows in `sending` now (the connection kill waits for a send in flight). */
  sendingNow(): Promise<number>;
  terminateBackends(): Promise<number>;
}

/**
 * Run the schedule against the live system: each fault starts at its time, without waiting for
 * the one before (a leader kill may wait for a standby meanwhile). Resolves when all are done;
 * faults not yet started when `isStopped()` turns true are skipped.
 */
export async function runFaults(faults: Fault[], deps: FaultDeps, isStopped: () => boolean): Promise<void> {
  const start = Date.now();
  const names = [...deps.supervisor.slots.keys()];
  const running: Array<Promise<void>> = [];
  for (const f of faults) {
    while (Date.now() - start < f.at && !isStopped()) await sleep(Math.min(200, f.at - (Date.now() - start)));
    if (isStopped()) break;
    running.push(
      execute(f, deps, names, isStopped).then(
        (result) => {
          f.result = result;
          f.done = true;
        },
        (err: Error) => {
          f.result = { error: err.message.slice(0, 300) };
          deps.timeline.say('fault failed', { kind: f.kind, error: err.message.slice(0, 200) });
        },
      ),
    );
  }
  await Promise.all(running);
}

/** Random kills spare a process still starting, leave at most two down, and never a whole role. */
function killable(supervisor: Supervisor, name: string): string | null {
  const slot = supervisor.slots.get(name)!;
  if (!slot.child || !slot.ready) return `${name} not up`;
  const all = [...supervisor.slots.values()];
  if (all.filter((s) => !s.child || !s.ready).length >= 2) return 'two processes already down';
  if (!all.some((s) => s !== slot && s.role === slot.role && s.child && s.ready) && slot.role !== 'web') return `last ${slot.role} up`;
  // While a takeover is being timed, the standby is left alone (the measure needs it alive).
  if (supervisor.takeoverPending() && slot.role === 'ingest') return `${name} spared during a takeover`;
  return null;
}

async function execute(f: Fault, deps: FaultDeps, names: string[], isStopped: () => boolean): Promise<Record<string, unknown>> {
  const { supervisor, timeline } = deps;
  switch (f.kind) {
    case 'kill': {
      // The seeded slot, or the next one after it that may be killed now.
      const order = names.map((_, i) => names[(f.slot! + i) % names.length]);
      const name = order.find((n) => killable(supervisor, n) === null);
      if (!name) return { skipped: killable(supervisor, names[f.slot!]) };
      supervisor.kill(name, f.pauseMs!, 'random');
      return { slot: name };
    }
    case 'kill-leader': {
      // Wait (until the load ends) for a connected leader and a started standby, then kill the leader.
      const t = Date.now();
      while (!isStopped() && !(supervisor.leader() && supervisor.standbyReady())) await sleep(200);
      const leader = supervisor.leader();
      if (!leader || !supervisor.standbyReady()) return { skipped: 'no leader with a live standby before the load ended' };
      if (Date.now() - t > 1_000) timeline.note('leader kill waited for a standby', { ms: Date.now() - t });
      supervisor.kill(leader.name, f.pauseMs!, 'leader');
      return { slot: leader.name };
    }
    case 'redis-restart': {
      // Losing Redis's data matters most while a reply is mid-send: aim at that (at most 20 s).
      for (let waited = 0; deps.redisDataLoss && waited < 20_000 && (await deps.sendingNow().catch(() => 0)) === 0; waited += 25) await sleep(25);
      timeline.say('redis restart: shutdown', { dataLoss: deps.redisDataLoss, sending: await deps.sendingNow().catch(() => -1) });
      const t = Date.now();
      // Data loss is a host crash: the workers on it die with Redis (a send cut mid-way, its job gone).
      if (deps.redisDataLoss) for (const s of deps.supervisor.slots.values()) if (s.role === 'worker') deps.supervisor.kill(s.name, f.pauseMs! + 2_000, 'host crash with Redis');
      await deps.redis.restart(f.pauseMs!, deps.redisDataLoss);
      timeline.say('redis restart: back', { downMs: Date.now() - t });
      return { downMs: Date.now() - t };
    }
    case 'dovecot-restart': {
      timeline.say('dovecot restart: stop');
      deps.pauseDelivery(true);
      const t = Date.now();
      try {
        await deps.dovecot.restart(f.pauseMs!);
      } finally {
        deps.pauseDelivery(false);
      }
      timeline.say('dovecot restart: back', { downMs: Date.now() - t });
      return { downMs: Date.now() - t };
    }
    case 'uidvalidity': {
      const r = await deps.dovecot.changeUidValidity();
      timeline.say('uidvalidity changed', r);
      return r;
    }
    case 'pg-kill': {
      // Aim at a send in flight (claim → SMTP → mark-sent), for at most 20 s; then kill anyway.
      let waited = 0;
      while (waited < 20_000 && (await deps.sendingNow().catch(() => 0)) === 0) {
        await sleep(25);
        waited += 25;
      }
      const killed = await deps.terminateBackends();
      timeline.say('postgresql connections terminated', { killed, waitedMs: waited });
      return { killed, waitedMs: waited };
    }
  }
}
