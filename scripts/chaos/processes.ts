import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sleep, waitFor, type Timeline } from './util.ts';

export type Role = 'ingest' | 'worker' | 'web';

/** One supervised CaseDesk process slot (restarted under the same name after each death). */
export interface Slot {
  name: string;
  role: Role;
  args: string[];
  env: Record<string, string>;
  child: ChildProcess | null;
  pid: number | null;
  starts: number;
  /** Set once the current incarnation logged "casedesk started". */
  ready: boolean;
  /** Ingest only: time of this incarnation's last "imap connected", while its session lasts. */
  connectedAt: number | null;
  log: WriteStream;
  /** We killed it on purpose (its exit is not a crash). */
  killing: boolean;
}

export interface Takeover {
  killedSlot: string;
  killedAt: number;
  newLeader: string | null;
  ms: number | null;
}

/** Log messages worth counting (pino `msg` of warn/error lines and a few info lines). */
const COUNTED_INFO = new Set(['uidvalidity changed, resyncing mailbox', 'start-up sweep queued unfinished work', 'imap connected']);

/**
 * Starts `casedesk ingest|worker|web` processes (bin/casedesk.js) with the run's environment,
 * writes each one's output to `<runDir>/procs/<name>.log`, reads its pino lines to follow
 * leadership (ingest) and readiness, and restarts any process that dies.
 */
export class Supervisor {
  readonly slots = new Map<string, Slot>();
  readonly takeovers: Takeover[] = [];
  readonly crashes: Array<{ slot: string; code: number | null; signal: string | null; at: number }> = [];
  readonly logCounts = new Map<string, number>();
  private pendingTakeover: Takeover | null = null;
  private stopping = false;

  constructor(private readonly root: string, private readonly runDir: string, private readonly baseEnv: Record<string, string>, private readonly timeline: Timeline) {}

  add(name: string, role: Role, args: string[], env: Record<string, string> = {}): void {
    const log = createWriteStream(join(this.runDir, 'procs', `${name}.log`), { flags: 'a' });
    this.slots.set(name, { name, role, args, env, child: null, pid: null, starts: 0, ready: false, connectedAt: null, log, killing: false });
  }

  start(name: string): void {
    const slot = this.slots.get(name)!;
    const child = spawn(process.execPath, [join(this.root, 'bin/casedesk.js'), ...slot.args], {
      cwd: this.root,
      env: { ...this.baseEnv, ...slot.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    slot.child = child;
    slot.pid = child.pid ?? null;
    slot.starts += 1;
    slot.ready = false;
    slot.connectedAt = null;
    slot.killing = false;
    slot.log.write(`### chaos: start #${slot.starts} pid=${child.pid} at=${new Date().toISOString()}\n`);
    child.stdout!.on('data', (chunk: Buffer) => slot.log.write(chunk));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      slot.log.write(`${line}\n`);
      this.onLogLine(slot, child, line);
    });
    child.once('exit', (code, signal) => this.onExit(slot, child, code, signal));
  }

  private onLogLine(slot: Slot, child: ChildProcess, line: string): void {
    if (slot.child !== child || !line.startsWith('{')) return;
    let entry: { level?: number; msg?: string; time?: number; err?: string; code?: string };
    try {
      entry = JSON.parse(line);
    } catch (err) {
      // Not a pino line (a stack trace, a warning from Node): it is in the log file anyway.
      if (err instanceof SyntaxError) return;
      throw err;
    }
    const msg = entry.msg ?? '';
    const time = entry.time ?? Date.now();
    if ((entry.level ?? 0) >= 40 || COUNTED_INFO.has(msg)) {
      // Warnings and errors by message and error text with ids masked: a diagnosis summary.
      // SQL in driver errors carries values (subjects, addresses): quoted literals are masked.
      const detail = String(entry.err ?? entry.code ?? '').replace(/'[^']*(?:'|$)/g, "'?'").replace(/\d+/g, 'N').slice(0, 90);
      const key = `${slot.role}: ${msg}${detail ? ` (${detail})` : ''}`;
      this.logCounts.set(key, (this.logCounts.get(key) ?? 0) + 1);
    }
    if (msg === 'casedesk started') slot.ready = true;
    if (slot.role !== 'ingest') return;
    if (msg === 'imap connected') {
      slot.connectedAt = time;
      const t = this.pendingTakeover;
      if (t && time >= t.killedAt) {
        t.newLeader = slot.name;
        t.ms = time - t.killedAt;
        this.pendingTakeover = null;
        this.timeline.say('takeover', { killed: t.killedSlot, newLeader: slot.name, ms: t.ms });
      }
    }
    if (msg === 'imap session ended' || msg === 'lost ingest leadership' || msg === 'stopping') slot.connectedAt = null;
  }

  private onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    slot.child = null;
    slot.pid = null;
    slot.ready = false;
    slot.connectedAt = null;
    slot.log.write(`### chaos: exit code=${code} signal=${signal} at=${new Date().toISOString()}\n`);
    if (slot.killing || this.stopping) return;
    this.crashes.push({ slot: slot.name, code, signal, at: Date.now() });
    this.timeline.say('process died on its own', { slot: slot.name, code, signal });
    setTimeout(() => {
      if (!this.stopping && !slot.child) this.start(slot.name);
    }, 2_000);
  }

  alive(name: string): boolean {
    return Boolean(this.slots.get(name)?.child);
  }

  /** The ingest slot holding an IMAP session now (the leader), if any. */
  leader(): Slot | null {
    const connected = [...this.slots.values()].filter((s) => s.role === 'ingest' && s.child && s.connectedAt !== null);
    return connected.sort((a, b) => (b.connectedAt ?? 0) - (a.connectedAt ?? 0))[0] ?? null;
  }

  /** An ingest other than the leader has started (it competes for the lock). */
  standbyReady(): boolean {
    const leader = this.leader();
    return [...this.slots.values()].some((s) => s.role === 'ingest' && s !== leader && s.child && s.ready);
  }

  /** A leader was killed and no new leader has connected yet. */
  takeoverPending(): boolean {
    // A takeover that never came is recorded as such (ms stays null) after 60 s.
    if (this.pendingTakeover && Date.now() - this.pendingTakeover.killedAt > 60_000) this.pendingTakeover = null;
    return this.pendingTakeover !== null;
  }

  /**
   * SIGKILL a slot's process; it is restarted after `pauseMs` (by a timer, so faults overlap).
   * Killing the leader while another ingest lives starts a takeover measurement.
   */
  kill(name: string, pauseMs: number, reason: string): void {
    const slot = this.slots.get(name);
    if (!slot?.child) return;
    const wasLeader = this.leader()?.name === name;
    const standbyAlive = [...this.slots.values()].some((s) => s.role === 'ingest' && s.name !== name && s.child && s.ready);
    slot.killing = true;
    slot.child.kill('SIGKILL');
    const now = Date.now();
    if (wasLeader && standbyAlive && !this.pendingTakeover) {
      this.pendingTakeover = { killedSlot: name, killedAt: now, newLeader: null, ms: null };
      this.takeovers.push(this.pendingTakeover);
    }
    this.timeline.say('SIGKILL', { slot: name, pid: slot.pid, reason, leader: wasLeader, restartInMs: pauseMs });
    setTimeout(() => {
      if (!this.stopping && !slot.child) this.start(name);
    }, pauseMs);
  }

  /** Start every slot that is down (after the fault window). */
  ensureAll(): void {
    for (const slot of this.slots.values()) if (!slot.child) this.start(slot.name);
  }

  async waitReady(names: string[], timeoutMs: number): Promise<boolean> {
    return Boolean(await waitFor(() => names.every((n) => this.slots.get(n)?.ready), { timeoutMs, intervalMs: 200 }));
  }

  /** SIGTERM everything (drain), then SIGKILL what is left after `graceMs`. */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const live = [...this.slots.values()].filter((s) => s.child);
    for (const s of live) s.child!.kill('SIGTERM');
    await waitFor(() => live.every((s) => !s.child), { timeoutMs: graceMs, intervalMs: 100 });
    for (const s of live) s.child?.kill('SIGKILL');
    await waitFor(() => live.every((s) => !s.child), { timeoutMs: 5_000, intervalMs: 100 });
    await sleep(100);
    for (const s of this.slots.values()) s.log.end();
  }
}
