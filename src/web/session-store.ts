import type { Session } from 'fastify';
import type { Orm } from '../shared/db.ts';
import { WebSession } from './web-session.entity.ts';

type Callback = (err?: unknown) => void;

/** How long a session lives without a request (the cookie is rolled on every response). */
export const SESSION_TTL_MS = 8 * 60 * 60_000;

function expiryOf(session: Session): Date {
  const expires = session.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + SESSION_TTL_MS);
}

/**
 * @fastify/session store on the `web_session` table: every web process reads the same
 * sessions, so web processes stay stateless. Expired rows are ignored on read and deleted by
 * `prune` (run on a timer by the server).
 */
export function createDatabaseSessionStore(orm: Orm) {
  const run = (cb: Callback, fn: () => Promise<void>) => {
    fn().then(() => cb(), (err: unknown) => cb(err));
  };
  return {
    set(sessionId: string, session: Session, callback: Callback): void {
      run(callback, async () => {
        const em = orm.em.fork();
        const data = JSON.stringify(session);
        const userId = typeof session.userId === 'number' ? session.userId : null;
        const expiresAt = expiryOf(session);
        const row = await em.findOne(WebSession, { id: sessionId });
        if (row) Object.assign(row, { data, userId, expiresAt });
        else em.create(WebSession, { id: sessionId, data, userId, expiresAt });
        await em.flush();
      });
    },
    get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void {
      orm.em.fork().findOne(WebSession, { id: sessionId }).then(
        (row) => callback(null, row && new Date(row.expiresAt).getTime() > Date.now() ? (JSON.parse(row.data) as Session) : null),
        (err: unknown) => callback(err),
      );
    },
    destroy(sessionId: string, callback: Callback): void {
      run(callback, async () => {
        await orm.em.fork().nativeDelete(WebSession, { id: sessionId });
      });
    },
    /** Delete expired sessions; returns how many went. */
    async prune(now = new Date()): Promise<number> {
      return orm.em.fork().nativeDelete(WebSession, { expiresAt: { $lt: now } });
    },
    /** End every session of a user (after removal or a password change). */
    async destroyForUser(userId: number): Promise<number> {
      return orm.em.fork().nativeDelete(WebSession, { userId });
    },
  };
}
