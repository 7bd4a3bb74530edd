import { ImapFlow } from 'imapflow';
import type { Orm } from '../shared/db.ts';
import type { Enqueuer } from '../shared/queues.ts';
import type { Logger } from '../shared/logger.ts';
import type { Redis } from '../shared/redis.ts';
import { LeaderLock } from './leader-lock.ts';
import { advanceCursor, loadCursor, storeFetchedMessage } from './store-message.ts';

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
  const state = { stopped: false };
  const log = deps.log.child({ component: 'ingest', mailbox: deps.mailbox });
  const lock = new LeaderLock(deps.redis, `${deps.lockPrefix}:ingest-leader:${deps.imap.user}:${deps.mailbox}`, deps.lockTtlMs ?? 30_000);
  let client: ImapFlow | null = null;
  let leader = false;
  let running: Promise<void> | null = null;
  let again = false;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  /** Coalesce sync requests: at most one running, at most one more queued behind it. */
  const requestSync = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await syncOnce();
        } while (again && !state.stopped);
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const syncOnce = async (): Promise<void> => {
    const imap = client;
    if (!imap || !imap.usable || !leader || !imap.mailbox) return;
    const uidValidity = Number(imap.mailbox.uidValidity);
    const em = deps.orm.em.fork();
    const { cursor, resync } = await loadCursor(em, deps.mailbox, uidValidity);
    if (resync) log.warn({ uidValidity }, 'uidvalidity changed, resyncing mailbox');
    const found = await imap.search({ uid: `${cursor.lastUid + 1}:*` }, { uid: true });
    const uids = (found || []).filter((uid) => uid > cursor.lastUid).sort((a, b) => a - b);
    if (uids.length === 0) return;
    log.debug({ count: uids.length, fromUid: uids[0] }, 'new messages');
    const batchSize = deps.batchSize ?? 25;
    for (let i = 0; i < uids.length && !state.stopped && leader; i += batchSize) {
      const batch = uids.slice(i, i + batchSize);
      const fetched = await imap.fetchAll(batch.join(','), { uid: true, source: true }, { uid: true });
      for (const msg of fetched.sort((a, b) => a.uid - b.uid)) {
        if (!msg.source) continue;
        const outcome = await storeFetchedMessage(deps.orm.em.fork(), { mailbox: deps.mailbox, uidValidity }, { uid: msg.uid, source: msg.source });
        if (outcome.kind === 'stored' || outcome.needsParse) await deps.enqueuer.enqueueParse(outcome.inboundId);
        if (outcome.kind === 'stored') log.info({ inboundId: outcome.inboundId, uid: msg.uid, bytes: msg.source.length }, 'message stored');
      }
      await imap.messageFlagsAdd(batch.join(','), ['\\Seen'], { uid: true });
      await advanceCursor(deps.orm.em.fork(), deps.mailbox, uidValidity, batch[batch.length - 1]);
    }
  };

  const session = async (): Promise<void> => {
    const imap = new ImapFlow({
      host: deps.imap.host,
      port: deps.imap.port,
      secure: deps.imap.secure,
      auth: { user: deps.imap.user, pass: deps.imap.password },
      tls: { rejectUnauthorized: deps.imap.rejectUnauthorized },
      logger: false,
      disableAutoIdle: true,
      // IDLE is restarted regularly: some servers and NATs drop long-idle connections silently.
      maxIdleTime: 5 * 60_000,
    });
    imap.on('error', (err: Error & { code?: string }) => log.warn({ code: err.code, msg: err.message }, 'imap connection error'));
    client = imap;
    await imap.connect();
    const closed = new Promise<void>((resolve) => imap.once('close', () => resolve()));
    await imap.mailboxOpen(deps.mailbox);
    imap.on('exists', () => void requestSync().catch((err: Error) => log.error({ err: err.message }, 'sync failed')));
    const poll = setInterval(() => void requestSync().catch((err: Error) => log.error({ err: err.message }, 'sync failed')), deps.pollSeconds * 1000);
    log.info('imap connected');
    try {
      await requestSync();
      markReady();
      while (!state.stopped && imap.usable && leader) {
        // idle() returns when IDLE is broken: by our next command, maxIdleTime, or the connection.
        await Promise.race([imap.idle(), closed]);
        if (state.stopped || !imap.usable || !leader) break;
        await requestSync();
      }
    } finally {
      clearInterval(poll);
      client = null;
      if (imap.usable) await imap.logout().catch(() => imap.close());
      else imap.close();
    }
  };

  const loop = async (): Promise<void> => {
    let backoff = 1_000;
    while (!state.stopped) {
      leader = await lock.acquire().catch((err: Error) => {
        log.warn({ err: err.message }, 'leader lock unavailable');
        return false;
      });
      if (!leader) {
        await sleep(Math.max(1_000, (deps.lockTtlMs ?? 30_000) / 3), state);
        continue;
      }
      const renew = setInterval(async () => {
        const still = await lock.renew().catch(() => false);
        if (!still && leader) {
          leader = false;
          log.warn('lost ingest leadership');
          client?.close();
        }
      }, Math.max(500, (deps.lockTtlMs ?? 30_000) / 3));
      try {
        await session();
        backoff = 1_000;
      } catch (err) {
        const e = err as Error & { code?: string };
        log.warn({ code: e.code, err: e.message }, 'imap session ended');
      } finally {
        clearInterval(renew);
      }
      if (!state.stopped) {
        await sleep(backoff, state);
        backoff = Math.min(backoff * 2, 60_000);
      }
    }
    if (leader) await lock.release().catch(() => undefined);
    leader = false;
  };

  const done = loop();
  return {
    ready,
    syncNow: () => requestSync(),
    isLeader: () => leader,
    isConnected: () => Boolean(client?.usable),
    stop: async () => {
      state.stopped = true;
      client?.close();
      await done;
      await running?.catch(() => undefined);
    },
  };
}
