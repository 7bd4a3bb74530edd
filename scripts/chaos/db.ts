import pg from 'pg';
import { HARNESS_APP_NAME } from './services.ts';

/**
 * The harness's read side of the chaos database: plain SQL on CaseDesk's tables (no ORM, no
 * imports from src/, so the harness survives refactors of the code it tests). Its connections
 * are named `chaos-harness`, which the PostgreSQL connection kill spares.
 */
export class ChaosDb {
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, application_name: HARNESS_APP_NAME, max: 3 });
    this.pool.on('error', () => undefined);
  }

  async rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
    return (await this.rows<T>(sql, params))[0];
  }

  /** Whether a message with this Message-ID header is stored and threaded into a case. */
  async parsed(messageId: string): Promise<boolean> {
    const r = await this.rows(`select 1 from inbound_message where message_id = $1 and state = 'parsed' limit 1`, [messageId]);
    return r.length > 0;
  }

  async sendingNow(): Promise<number> {
    return Number((await this.one<{ n: string }>(`select count(*) as n from outbox where state = 'sending'`)).n);
  }

  /** Counts that move while the system works; the settle wait stops when they stop moving. */
  async progress(): Promise<Record<string, number>> {
    const rows = await this.rows<{ k: string; n: string }>(`
      select 'inbound:' || state as k, count(*) as n from inbound_message group by state
      union all select 'draft:' || state, count(*) from draft group by state
      union all select 'outbox:' || state, count(*) from outbox group by state
      union all select 'wanting', count(*) from case_message m where m.direction = 'in' and m.wants_draft
        and not exists (select 1 from draft d where d.case_message_id = m.id)
      union all select 'cursor:' || uid_validity || ':' || last_uid, 1 from mailbox_cursor`);
    return Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
