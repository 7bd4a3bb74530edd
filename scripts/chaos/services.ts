import { spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { portOpen, run, sleep, waitFor } from './util.ts';

/** Harness connections carry this name; the PostgreSQL connection kill spares them. */
export const HARNESS_APP_NAME = 'chaos-harness';
export const PG_ADMIN_URL = process.env.CHAOS_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Redis of the run's own, append-only, on a spare port; restartable on the same AOF. */
export class RedisService {
  constructor(readonly port: number, readonly dir: string) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    await run('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--daemonize', 'yes',
      '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
      '--maxmemory-policy', 'noeviction',
      '--dir', this.dir, '--pidfile', join(this.dir, 'redis.pid'), '--logfile', join(this.dir, 'redis.log'),
    ]);
    const up = await waitFor(() => this.ping(), { timeoutMs: 15_000, intervalMs: 50 });
    if (!up) throw new Error(`redis on ${this.port} did not answer PING`);
  }

  async ping(): Promise<boolean> {
    return (await run('redis-cli', ['-p', String(this.port), 'ping'], { timeoutMs: 3_000 }).catch(() => '')).trim() === 'PONG';
  }

  /**
   * SHUTDOWN (the AOF is flushed), a pause with nothing listening, then the same data back — or,
   * with `loseData`, nothing (the AOF removed: a restart without persistence).
   */
  async restart(pauseMs: number, loseData = false): Promise<void> {
    await run('redis-cli', ['-p', String(this.port), 'shutdown'], { timeoutMs: 10_000 }).catch(() => '');
    await waitFor(async () => !(await portOpen(this.port)), { timeoutMs: 15_000, intervalMs: 50 });
    if (loseData) {
      rmSync(join(this.dir, 'appendonlydir'), { recursive: true, force: true });
      rmSync(join(this.dir, 'dump.rdb'), { force: true });
    }
    await sleep(pauseMs);
    await this.start();
  }

  async stop(): Promise<void> {
    await run('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave'], { timeoutMs: 10_000 }).catch(() => '');
    await waitFor(async () => !(await portOpen(this.port)), { timeoutMs: 10_000, intervalMs: 50 });
  }
}

/** A client on the chaos database (or the admin database), named so the connection kill spares it. */
export async function pgClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: HARNESS_APP_NAME });
  await client.connect();
  return client;
}

export async function createDatabase(name: string): Promise<void> {
  const admin = await pgClient(PG_ADMIN_URL);
  try {
    await admin.query(`drop database if exists "${name}"`);
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = await pgClient(PG_ADMIN_URL);
  try {
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    await admin.query(`drop database if exists "${name}"`);
  } finally {
    await admin.end();
  }
}

/** The fault: terminate every CaseDesk session on the chaos database. Returns how many. */
export async function terminateBackends(name: string): Promise<number> {
  const admin = await pgClient(PG_ADMIN_URL);
  try {
    const res = await admin.query(
      `select pg_terminate_backend(pid) as ok from pg_stat_activity
        where datname = $1 and pid <> pg_backend_pid() and coalesce(application_name, '') <> $2`,
      [name, HARNESS_APP_NAME],
    );
    return res.rows.filter((r: { ok: boolean }) => r.ok).length;
  } finally {
    await admin.end();
  }
}

/** Signal a process we started; a process that is already gone (ESRCH) is fine. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export interface MailboxStatus {
  messages: number;
  uidNext: number;
  uidValidity: number;
}

/**
 * Dovecot of the run's own (IMAP + LMTP on loopback), from the project's template
 * scripts/dovecot/dovecot.conf.in, state under `<base>/dovecot`.
 */
export class DovecotService {
  static readonly USER = 'casedesk@chaos.test';
  static readonly PASSWORD = 'chaos-pw';
  readonly dir: string;
  readonly conf: string;

  constructor(readonly base: string, readonly imapPort: number, readonly lmtpPort: number, private readonly template: string) {
    this.dir = join(base, 'dovecot');
    this.conf = join(this.dir, 'dovecot.conf');
  }

  async start(): Promise<void> {
    if (!existsSync(this.conf)) this.render();
    const errFd = openSync(join(this.dir, 'stderr.log'), 'a');
    try {
      // The master and its log child keep stdio open: never a pipe to us.
      const child = spawn('dovecot', ['-c', this.conf], { stdio: ['ignore', errFd, errFd] });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      if (code !== 0) throw new Error(`dovecot exited ${code}; see ${this.dir}/stderr.log`);
    } finally {
      closeSync(errFd);
    }
    const up = await waitFor(async () => (await portOpen(this.imapPort)) && (await portOpen(this.lmtpPort)), { timeoutMs: 20_000, intervalMs: 50 });
    if (!up) throw new Error(`dovecot ports ${this.imapPort}/${this.lmtpPort} not open`);
  }

  private render(): void {
    for (const d of ['run', 'state', 'mail']) mkdirSync(join(this.dir, d), { recursive: true });
    for (const d of [this.base, this.dir, join(this.dir, 'run'), join(this.dir, 'state'), join(this.dir, 'mail')]) chmodSync(d, 0o755);
    const nobody = Number(readFileSync('/etc/passwd', 'utf8').match(/^nobody:[^:]*:(\d+):(\d+):/m)?.[1] ?? 65534);
    const nogroup = Number(readFileSync('/etc/group', 'utf8').match(/^nogroup:[^:]*:(\d+):/m)?.[1] ?? 65534);
    chownSync(join(this.dir, 'mail'), nobody, nogroup);
    const text = readFileSync(this.template, 'utf8')
      .replaceAll('@SVC@', this.base)
      .replaceAll('@IMAP_PORT@', String(this.imapPort))
      .replaceAll('@LMTP_PORT@', String(this.lmtpPort))
      .replace('instance_name = casedesk-test', 'instance_name = casedesk-chaos');
    writeFileSync(this.conf, text, { mode: 0o644 });
    writeFileSync(join(this.dir, 'users'), `${DovecotService.USER}:{PLAIN}${DovecotService.PASSWORD}::::::\n`, { mode: 0o644 });
  }

  private masterPid(): number | null {
    const f = join(this.dir, 'run', 'master.pid');
    return existsSync(f) ? Number(readFileSync(f, 'utf8').trim()) || null : null;
  }

  async stop(): Promise<void> {
    const pid = this.masterPid();
    if (pid) signal(pid, 'SIGTERM');
    const closed = await waitFor(async () => !(await portOpen(this.imapPort)) && !(await portOpen(this.lmtpPort)), { timeoutMs: 15_000, intervalMs: 100 });
    if (!closed && pid) {
      signal(pid, 'SIGKILL');
      await waitFor(async () => !(await portOpen(this.imapPort)), { timeoutMs: 5_000, intervalMs: 100 });
    }
    rmSync(join(this.dir, 'run', 'master.pid'), { force: true });
  }

  async restart(pauseMs: number): Promise<void> {
    await this.stop();
    await sleep(pauseMs);
    await this.start();
  }

  private doveadm(args: string[]): Promise<string> {
    return run('doveadm', ['-c', this.conf, ...args], { timeoutMs: 30_000 });
  }

  async status(): Promise<MailboxStatus> {
    const out = await this.doveadm(['mailbox', 'status', '-u', DovecotService.USER, 'messages uidnext uidvalidity', 'INBOX']);
    const get = (k: string) => Number(new RegExp(`${k}=(\\d+)`).exec(out)?.[1] ?? NaN);
    return { messages: get('messages'), uidNext: get('uidnext'), uidValidity: get('uidvalidity') };
  }

  /** Whether delivery `n` (its `X-Chaos-Delivery` header) is in INBOX: settles an ambiguous LMTP failure. */
  async hasDelivery(n: number): Promise<boolean> {
    const out = await this.doveadm(['fetch', '-u', DovecotService.USER, 'hdr.x-chaos-delivery', 'mailbox', 'INBOX', 'header', 'X-Chaos-Delivery', String(n)]);
    return out.split('\n').some((line) => line.trim() === `hdr.x-chaos-delivery: ${n}`);
  }

  /** Whether a message with this Message-ID is in INBOX: settles an ambiguous LMTP failure of a sent copy. */
  async hasMessageId(messageId: string): Promise<boolean> {
    const out = await this.doveadm(['search', '-u', DovecotService.USER, 'mailbox', 'INBOX', 'header', 'Message-ID', messageId]);
    return out.trim().length > 0;
  }

  /**
   * A new UIDVALIDITY for INBOX, then the user's IMAP sessions are kicked (as a server does when
   * a mailbox is rebuilt). Verified with a fresh status; returns old and new values.
   */
  async changeUidValidity(): Promise<{ before: number; after: number }> {
    const before = (await this.status()).uidValidity;
    const wanted = Math.max(before + 1, Math.floor(Date.now() / 1000));
    await this.doveadm(['mailbox', 'update', '-u', DovecotService.USER, '--uid-validity', String(wanted), 'INBOX']);
    await this.doveadm(['kick', DovecotService.USER]).catch(() => '');
    const after = (await this.status()).uidValidity;
    if (after === before) throw new Error(`UIDVALIDITY did not change (still ${before})`);
    return { before, after };
  }
}
