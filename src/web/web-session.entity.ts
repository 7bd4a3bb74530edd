import { EntitySchema } from '@mikro-orm/core';

/**
 * A login session of the review page, in the database so any number of stateless web processes
 * share it. `data` is @fastify/session's session object as JSON (user id, role, CSRF secret).
 */
export class WebSession {
  /** The session id (random, from @fastify/session; the cookie carries it signed). */
  id!: string;
  data!: string;
  userId?: number | null;
  expiresAt!: Date;
}

export const WebSessionSchema = new EntitySchema<WebSession>({
  class: WebSession,
  tableName: 'web_session',
  indexes: [{ properties: ['expiresAt'] }],
  properties: {
    id: { type: 'string', length: 128, primary: true },
    data: { type: 'text' },
    userId: { type: 'integer', nullable: true },
    expiresAt: { type: 'datetime' },
  },
});
