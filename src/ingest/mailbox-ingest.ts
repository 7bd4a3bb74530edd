import { ImapFlow } from 'imapflow';
import type { Orm } from '../shared/db.ts';
import type { Enqueuer } from '../shared/queues.ts';
import { logSafeError } from '../shared/log-safe-error.ts';
import type { Logger } from '../shared/logger.ts';
import type { Redis } from '../shared/redis.ts';
import { LeaderLock } from './leader-lock.ts';
import { advanceCursor, loadCursor, storeFetchedBatch } from './store-message.ts';

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  rejectUnauthorized: boolean;
}

export interface IngestDeps {
  orm: Orm;
  enqueuer: Enqueuer;
  redis: Redis;
  log: Logger;
  imap: ImapSettings;
  mailbox: string;
  /** Redis key prefix of the leader lock (QUEUE_PREFIX). */
  lockPrefix: string;
  pollSeconds: number;
  batchSize?: number;
  lockTtlMs?: number;
}

export interface IngestHandle {
  /** Resolves after the first sync of the first session (useful for tests and start-up logs). */
  ready: Promise<void>;
  /** Run one sync now (waits for it). */
  syncNow(): Promise<void>;
  isLeader(): boolean;
  isConnected(): boolean;
  stop(): Promise<void>;
}

const sleep = (ms: number, signal: { stopped: boolean }) =>
  new Promise<void>((resolve) => {
    const started = Date.now();
    const tick = () => (signal.stopped || Date.now() - started >= ms ? resolve() : setTimeout(tick, Math.min(200, ms)));
    tick();
  });

/**
 * Ingest for one mailbox: leader election, IMAP IDLE plus a periodic UID poll, and for each new
 * message: store the raw source, queue `parse` with a deterministic job id, flag it \Seen, then
 * advance the cursor. A crash anywhere repeats at most the last batch, and every step of that
 * repeat is idempotent.
 */
export function startIngest(deps: IngestDeps): IngestHandle {
  const ingest = new MailboxIngest(deps);
  return {
    ready: ingest.ready,
    syncNow: () => ingest.requestSync(),
    isLeader: () => ingest.leader,
    isConnected: () => Boolean(ingest.client?.usable),
    stop: () => ingest.stop(),
  };
}

/** The state of one mailbox's ingest, owned by the handle `startIngest` returns. */
class MailboxIngest {
  readonly ready: Promise<void>;
  client: ImapFlow | null = null;
  leader = false;
  private readonly state = { stopped: false };
  private readonly log: Logger;
  private readonly lock: LeaderLock;
  private readonly lockTtlMs: number;
  private running: Promise<void> | null = null;
  private again = false;
  private markReady: () => void = () => undefined;
  private readonly done: Promise<void>;

  constructor(private readonly deps: IngestDeps) {
    this.log = deps.log.child({ component: 'ingest', mailbox: deps.mailbox });
    this.lockTtlMs = deps.lockTtlMs ?? 30_000;
    this.lock = new LeaderLock(deps.redis, `${deps.lockPrefix}:ingest-leader:${deps.imap.user}:${deps.mailbox}`, this.lockTtlMs);
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.state.stopped = true;
    this.client?.close();
    await this.done;
    await this.running?.catch(() => undefined);
  }

  /** Coalesce sync requests: at most one running, at most one more queued behind it. */
  requestSync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.syncOnce();
        } while (this.again && !this.state.stopped);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Store every message above the cursor, in batches; each batch is flagged \Seen, then the cursor moves. */
  private async syncOnce(): Promise<void> {
    const imap = this.client;
    if (!imap || !imap.usable || !this.leader || !imap.mailbox) return;
    const uidValidity = Number(imap.mailbox.uidValidity);
    const { cursor, resync } = await loadCursor(this.deps.orm.em.fork(), this.deps.mailbox, uidValidity);
    if (resync) this.log.warn({ uidValidity }, 'uidvalidity changed, resyncing mailbox');
    const found = await imap.search({ uid: `${cursor.lastUid + 1}:*` }, { uid: true });
    const uids = (found || []).filter((uid) => uid > cursor.lastUid).sort((a, b) => a - b);
    if (uids.length === 0) return;
    this.log.debug({ count: uids.length, fromUid: uids[0] }, 'new messages');
    const batchSize = this.deps.batchSize ?? 25;
    for (let i = 0; i < uids.length && !this.state.stopped && this.leader; i += batchSize) {
      await this.syncBatch(imap, uidValidity, uids.slice(i, i + batchSize));
    }
  }

  private async syncBatch(imap: ImapFlow, uidValidity: number, batch: number[]): Promise<void> {
    const fetched = await imap.fetchAll(batch.join(','), { uid: true, source: true }, { uid: true });
    const sources = fetched.sort((a, b) => a.uid - b.uid).flatMap((m) => (m.source ? [{ uid: m.uid, source: m.source }] : []));
    const toParse: number[] = [];
    const results = await storeFetchedBatch(this.deps.orm.em.fork(), { mailbox: this.deps.mailbox, uidValidity }, sources);
    results.forEach(({ uid, outcome }, i) => {
      if (outcome.kind === 'stored' || outcome.needsParse) toParse.push(outcome.inboundId);
      if (outcome.kind === 'stored') this.log.info({ inboundId: outcome.inboundId, uid, bytes: sources[i].source.length }, 'message stored');
    });
    // The batch's parse jobs in one round trip. A crash before it leaves the rows `stored` and the
    // cursor behind them: the next session fetches the batch again and queues them (as does the
    // start-up sweep).
    await this.deps.enqueuer.enqueueParseMany(toParse);
    await imap.messageFlagsAdd(batch.join(','), ['\\Seen'], { uid: true });
    await advanceCursor(this.deps.orm.em.fork(), this.deps.mailbox, uidValidity, batch[batch.length - 1]);
  }

  private connectClient(): ImapFlow {
    const { imap: settings } = this.deps;
    const imap = new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: { user: settings.user, pass: settings.password },
      tls: { rejectUnauthorized: settings.rejectUnauthorized },
      logger: false,
      disableAutoIdle: true,
      // IDLE is restarted regularly: some servers and NATs drop long-idle connections silently.
      maxIdleTime: 5 * 60_000,
    });
    imap.on('error', (err: Error & { code?: string }) => this.log.warn({ err: logSafeError(err) }, 'imap connection error'));
    return imap;
  }

  /** One IMAP session while leader: sync, then IDLE and sync again on every wake-up, with a poll as a safety net. */
  private async session(): Promise<void> {
    const imap = this.connectClient();
    this.client = imap;
    await imap.connect();
    const closed = new Promise<void>((resolve) => imap.once('close', () => resolve()));
    await imap.mailboxOpen(this.deps.mailbox);
    const syncSoon = () => void this.requestSync().catch((err: Error) => this.log.error({ err: logSafeError(err) }, 'sync failed'));
    imap.on('exists', syncSoon);
    const poll = setInterval(syncSoon, this.deps.pollSeconds * 1000);
    this.log.info('imap connected');
    try {
      await this.requestSync();
      this.markReady();
      while (!this.state.stopped && imap.usable && this.leader) {
        // idle() returns when IDLE is broken: by our next command, maxIdleTime, or the connection.
        await Promise.race([imap.idle(), closed]);
        if (this.state.stopped || !imap.usable || !this.leader) break;
        await this.requestSync();
      }
    } finally {
      clearInterval(poll);
      this.client = null;
      if (imap.usable) await imap.logout().catch(() => imap.close());
      else imap.close();
    }
  }

  /** Until stopped: take the leader lock, run sessions while holding it, back off after a failed session. */
  private async loop(): Promise<void> {
    let backoff = 1_000;
    while (!this.state.stopped) {
      this.leader = await this.lock.acquire().catch((err: Error) => {
        this.log.warn({ err: logSafeError(err) }, 'leader lock unavailable');
        return false;
      });
      if (!this.leader) {
        await sleep(Math.max(1_000, this.lockTtlMs / 3), this.state);
        continue;
      }
      const ok = await this.leadOneSession();
      if (ok) backoff = 1_000;
      if (!this.state.stopped) {
        await sleep(backoff, this.state);
        backoff = Math.min(backoff * 2, 60_000);
      }
    }
    if (this.leader) await this.lock.release().catch(() => undefined);
    this.leader = false;
  }

  /** One session under the lock, renewing it; losing the lock closes the connection. True when the session ended cleanly. */
  private async leadOneSession(): Promise<boolean> {
    const renew = setInterval(async () => {
      const still = await this.lock.renew().catch(() => false);
      if (!still && this.leader) {
        this.leader = false;
        this.log.warn('lost ingest leadership');
        this.client?.close();
      }
    }, Math.max(500, this.lockTtlMs / 3));
    try {
      await this.session();
      return true;
    } catch (err) {
      const e = err as Error & { code?: string };
      this.log.warn({ err: logSafeError(e) }, 'imap session ended');
      return false;
    } finally {
      clearInterval(renew);
    }
  }
}
