import { createTestDatabase } from '../test/support/db.ts';
const t = await createTestDatabase('postgresql');
try {
  const knex = (t.orm.em as any).getKnex();
  const r = await knex.raw('select * from unnest(?::text[], ?::int[]) as x(a, b)', [['A', 'B"\\,x'], [1, 2]]);
  console.log(r.rows);
} catch (e) { console.log('ERR', (e as Error).message); }
await t.drop();
