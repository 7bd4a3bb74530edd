import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  chainNext,
  GENESIS_HASH,
  hashAuditEntry,
  verifyChain,
  type AuditRecord,
  type ChainedAuditRecord,
} from '../../../src/audit/audit-chain.ts';

function record(i: number): AuditRecord {
  return { actor: `user${i}@example.test`, action: 'case.view', caseId: i, draftId: null, details: { n: i, z: 'last', a: [1, { y: 2, b: 3 }] }, at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)) };
}

function chain(n: number): ChainedAuditRecord[] {
  const out: ChainedAuditRecord[] = [];
  let head = { seq: 0, hash: GENESIS_HASH };
  for (let i = 1; i <= n; i += 1) {
    const e = { ...chainNext(head, record(i)), id: 100 + i };
    out.push(e);
    head = { seq: e.seq, hash: e.hash };
  }
  return out;
}

const headOf = (c: ChainedAuditRecord[]) => ({ seq: c[c.length - 1].seq, hash: c[c.length - 1].hash });

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"e":2,"f":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});

describe('chain', () => {
  it('hashes what the database returns: details after a JSON round trip, in any key order', () => {
    const e = chainNext({ seq: 0, hash: GENESIS_HASH }, { ...record(1), details: { when: new Date(0), skip: undefined, b: 1, a: 2 } });
    expect(e.details).toEqual({ when: '1970-01-01T00:00:00.000Z', b: 1, a: 2 });
    const fromDb = { ...e, details: { a: 2, b: 1, when: '1970-01-01T00:00:00.000Z' } };
    expect(hashAuditEntry(fromDb.seq, fromDb.prevHash, fromDb)).toBe(e.hash);
    expect(e.seq).toBe(1);
    expect(e.prevHash).toBe(GENESIS_HASH);
    expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies an intact chain, and an empty one', async () => {
    const c = chain(5);
    expect(await verifyChain(c, headOf(c))).toMatchObject({ ok: true, entries: 5, lastSeq: 5 });
    expect(await verifyChain([], null)).toMatchObject({ ok: true, entries: 0 });
  });

  it('finds an edited entry', async () => {
    const c = chain(5);
    c[2] = { ...c[2], actor: 'someone-else@example.test' };
    expect((await verifyChain(c, headOf(c))).problem).toMatchObject({ kind: 'hash', seq: 3, id: 103 });
  });

  it('finds a deleted entry', async () => {
    const c = chain(5);
    const gap = [...c.slice(0, 2), ...c.slice(3)];
    expect((await verifyChain(gap, headOf(c))).problem).toMatchObject({ kind: 'gap', seq: 4, id: 104 });
  });

  it('finds a deleted entry whose followers were renumbered', async () => {
    const c = chain(5);
    const renumbered = [...c.slice(0, 2), ...c.slice(3).map((e) => ({ ...e, seq: e.seq - 1 }))];
    expect((await verifyChain(renumbered, headOf(c))).problem).toMatchObject({ kind: 'prev_hash', seq: 3, id: 104 });
  });

  it('finds two entries swapped, by content or by sequence number', async () => {
    const c = chain(5);
    const swappedContent = [c[0], { ...c[2], seq: 2 }, { ...c[1], seq: 3 }, c[3], c[4]];
    expect((await verifyChain(swappedContent, headOf(c))).problem).toMatchObject({ kind: 'prev_hash', seq: 2 });
    const outOfOrder = [c[0], c[2], c[1], c[3], c[4]];
    expect((await verifyChain(outOfOrder, headOf(c))).problem).toMatchObject({ kind: 'gap', seq: 3 });
  });

  it('finds a removed tail against the head, and a head that was moved', async () => {
    const c = chain(5);
    expect((await verifyChain(c.slice(0, 4), headOf(c))).problem).toMatchObject({ kind: 'head', seq: null });
    expect((await verifyChain(c, { seq: 5, hash: 'f'.repeat(64) })).problem).toMatchObject({ kind: 'head' });
    expect((await verifyChain([], headOf(c))).problem?.kind).toBe('head');
  });
});
