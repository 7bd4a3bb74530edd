import { describe, expect, it } from 'vitest';
import { bindSqliteValues, bindValues } from '../../../src/db/bound-params.ts';

const iso = (d: Date) => d.toISOString();

describe('bindValues: a statement with its values apart, as PostgreSQL takes it', () => {
  it('numbers each placeholder and keeps each value as node-postgres sends it', () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    const bytes = Buffer.from([0, 1, 255]);
    expect(bindValues('insert into t (a, b, c, d, e, f, g) values (?, ?, ?, ?, ?, ?, ?)', [1, 'it\'s', at, bytes, true, null, { k: [1, 'x'] }], iso)).toEqual({
      text: 'insert into t (a, b, c, d, e, f, g) values ($1, $2, $3, $4, $5, $6, $7)',
      values: [1, 'it\'s', '2026-03-04T05:06:07.089Z', bytes, true, null, '{"k":[1,"x"]}'],
    });
  });

  it('keeps an escaped question mark as a literal one, and a value holding ? or $1 as it is', () => {
    expect(bindValues('select a \\? b, ? as x where c = ?', ['is 99213 ok? $1', undefined], iso)).toEqual({
      text: 'select a ? b, $1 as x where c = $2',
      values: ['is 99213 ok? $1', null],
    });
  });

  it('refuses what MikroORM writes as more than a value: identifiers, lists, other objects, NUL, a wrong count', () => {
    expect(bindValues('select ?? from t', ['a'], iso)).toBeNull();
    expect(bindValues('select * from t where id in (?)', [[1, 2]], iso)).toBeNull();
    expect(bindValues('select ?', [new Map()], iso)).toBeNull();
    expect(bindValues('select ?', ['a\0b'], iso)).toBeNull();
    expect(bindValues('select ?', [Number.NaN], iso)).toBeNull();
    expect(bindValues('select ?', [new Date(Number.NaN)], iso)).toBeNull();
    expect(bindValues('select ?, ?', [1], iso)).toBeNull();
    expect(bindValues('select ?', [1, 2], iso)).toBeNull();
  });
});

describe('bindSqliteValues: a statement with its values apart, as better-sqlite3 binds them', () => {
  it('keeps the placeholders and binds each value as MikroORM writes it into SQLite text', () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    const bytes = Buffer.from([0, 1, 255]);
    expect(bindSqliteValues('insert into t (a, b, c, d, e, f, g, h, i) values (?, ?, ?, ?, ?, ?, ?, ?, ?)', [3, 1.5, 'it\'s ?', at, bytes, true, false, null, { k: [1] }])).toEqual({
      text: 'insert into t (a, b, c, d, e, f, g, h, i) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      values: [3n, 1.5, 'it\'s ?', 1772600767089n, bytes, 1n, 0n, null, '{"k":[1]}'],
    });
  });

  it('refuses what it cannot bind the same way: identifiers, lists, NUL, an escaped question mark, a wrong count', () => {
    expect(bindSqliteValues('select ?? from t', ['a'])).toBeNull();
    expect(bindSqliteValues('select * from t where id in (?)', [[1, 2]])).toBeNull();
    expect(bindSqliteValues('select ?', ['a\0b'])).toBeNull();
    expect(bindSqliteValues('select ?', [Number.POSITIVE_INFINITY])).toBeNull();
    expect(bindSqliteValues('select a \\? b, ?', [1])).toBeNull();
    expect(bindSqliteValues('select ?, ?', [1])).toBeNull();
  });
});
