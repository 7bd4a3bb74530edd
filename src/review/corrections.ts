import { mkdirSync, writeFileSync } from 'node:fs';
import { appendAudit } from '../audit/audit-chain-store.ts';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/core';
import { Case, CaseMessage } from '../cases/case.entity.ts';
import { ClassificationCorrection, type MessageLabel } from '../cases/correction.entity.ts';

type InboundFacts = Pick<InboundMessage, 'id' | 'state' | 'kind' | 'reasons' | 'caseId' | 'caseMessageId'>;
import { Draft } from '../drafts/draft.entity.ts';
import { InboundMessage } from '../ingest/ingest.entity.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { AuditEntry } from './audit.entity.ts';

export const MESSAGE_LABELS: readonly MessageLabel[] = ['human', 'automatic'];

export interface CorrectionResult {
  correctionId: number;
  inboundId: number;
  label: MessageLabel;
  /** True when this message already carried the same correction (nothing changed). */
  already: boolean;
  /** A `human` correction of an ignored message: the caller queues it for parsing again. */
  refile: boolean;
  /** An `automatic` correction of a question: its pending drafts rejected, its case closed when nothing else is in it. */
  rejectedDraftIds: number[];
  closedCaseId: number | null;
}

const REJECT_REASON = 'a consultant marked the message as automatic mail, not a question';

/**
 * A consultant's "this was automatic" / "this was a person" for one inbound message.
 * - automatic, for a message filed as a question: its pending drafts are rejected (nothing is
 *   mailed) and its case is closed when the message opened it and nothing else happened in it.
 * - human, for a message ignored as automatic: it goes back to `stored`, and the parse stage
 *   files it as a question (it honours the correction); the caller re-queues it.
 * One correction per message, audited. Repeating it is a no-op; the opposite label is refused.
 * @throws NotFoundError, ConflictError (a message in another state, or already labelled otherwise)
 */
export async function correctClassification(em: EntityManager, input: { inboundId: number; label: MessageLabel; actor: string }): Promise<CorrectionResult> {
  if (!MESSAGE_LABELS.includes(input.label)) throw new ValidationError(`label must be one of ${MESSAGE_LABELS.join(', ')}`);
  return em.transactional(async (tx) => {
    const inbound = await tx.findOne(InboundMessage, { id: input.inboundId }, { fields: ['id', 'state', 'kind', 'reasons', 'caseId', 'caseMessageId'] });
    if (!inbound) throw new NotFoundError(`message ${input.inboundId} not found`);
    const existing = await tx.findOne(ClassificationCorrection, { inboundId: inbound.id });
    if (existing) {
      if (existing.label !== input.label) throw new ConflictError(`message ${inbound.id} is already labelled ${existing.label} (by ${existing.correctedBy})`);
      return { correctionId: existing.id, inboundId: inbound.id, label: existing.label, already: true, refile: false, rejectedDraftIds: [], closedCaseId: null };
    }
    const classifiedAs = classifierVerdict(inbound);
    if (classifiedAs === input.label) throw new ConflictError(`message ${inbound.id} was already taken as ${classifiedAs}; nothing to correct`);
    const correction = tx.create(ClassificationCorrection, {
      inboundId: inbound.id, caseId: inbound.caseId ?? null, classifiedAs, classifierKind: inbound.kind ?? null,
      classifierReasons: inbound.reasons ?? [], label: input.label, correctedBy: input.actor,
    });
    const effect = input.label === 'human' ? await refileAsQuestion(tx, inbound) : await withdrawQuestion(tx, inbound, input.actor);
    await appendAudit(tx, { actor: input.actor, action: 'message.correct', caseId: inbound.caseId ?? null, details: { inboundId: inbound.id, from: classifiedAs, to: input.label } });
    await tx.flush();
    return { correctionId: correction.id, inboundId: inbound.id, label: input.label, already: false, ...effect };
  });
}

/** What the classifier made of a message, from its state: filed as a question, or ignored. */
function classifierVerdict(inbound: InboundFacts): MessageLabel {
  if (inbound.state === 'parsed') return 'human';
  if (inbound.state === 'ignored') return 'automatic';
  throw new ConflictError(`message ${inbound.id} is ${inbound.state}; only a message filed as a question (parsed) or ignored as automatic can be corrected`);
}

async function refileAsQuestion(tx: EntityManager, inbound: InboundFacts) {
  const moved = await tx.nativeUpdate(InboundMessage, { id: inbound.id, state: 'ignored' }, { state: 'stored', kind: null, reasons: [], error: null });
  if (moved !== 1) throw new ConflictError(`message ${inbound.id} changed state meanwhile; try again`);
  return { refile: true, rejectedDraftIds: [], closedCaseId: null };
}

async function withdrawQuestion(tx: EntityManager, inbound: InboundFacts, actor: string) {
  const drafts = inbound.caseMessageId ? await tx.find(Draft, { caseMessageId: inbound.caseMessageId, state: 'pending' }) : [];
  for (const d of drafts) {
    d.state = 'rejected';
    d.rejectReason = REJECT_REASON;
    d.decidedBy = actor;
    d.decidedAt = new Date();
  }
  let closedCaseId: number | null = null;
  if (inbound.caseId) {
    const inboundMessages = await tx.count(CaseMessage, { caseId: inbound.caseId, direction: 'in' });
    const decided = await tx.count(Draft, { caseId: inbound.caseId, state: { $in: ['approved', 'sent'] } });
    const caseRow = await tx.findOne(Case, { id: inbound.caseId });
    if (caseRow && caseRow.state === 'open' && inboundMessages <= 1 && decided === 0) {
      caseRow.state = 'closed';
      closedCaseId = caseRow.id;
    }
  }
  return { refile: false, rejectedDraftIds: drafts.map((d) => d.id), closedCaseId };
}

export interface CorrectionSummary {
  id: number;
  inboundId: number;
  caseId: number | null;
  classifiedAs: MessageLabel;
  classifierKind: string | null;
  classifierReasons: string[];
  label: MessageLabel;
  correctedBy: string;
  createdAt: string;
}

/** Corrections, newest first. */
export async function listCorrections(em: EntityManager, opts: { since?: Date; limit?: number } = {}): Promise<CorrectionSummary[]> {
  const rows = await em.find(ClassificationCorrection, opts.since ? { createdAt: { $gte: opts.since } } : {}, { orderBy: { id: 'desc' }, limit: opts.limit ?? 500 });
  return rows.map((r) => ({
    id: r.id, inboundId: r.inboundId, caseId: r.caseId ?? null, classifiedAs: r.classifiedAs, classifierKind: r.classifierKind ?? null,
    classifierReasons: r.classifierReasons, label: r.label, correctedBy: r.correctedBy, createdAt: new Date(r.createdAt).toISOString(),
  }));
}

export interface ExportResult {
  written: { file: string; inboundId: number; label: MessageLabel }[];
  /** Corrections whose raw source is gone (purged by retention). */
  skipped: { inboundId: number; reason: string }[];
  manifest: string;
}

const tsvCell = (s: string) => s.replace(/[\t\r\n]+/g, ' ');

/**
 * Write every corrected message as a labelled `.eml` for the test corpus: `automatic/` and
 * `human/` folders and a MANIFEST.tsv in the layout of test/fixtures/classification
 * (path, expect_answer, class, note). The files are the raw messages as received: they can carry
 * patient details, so the export is audited and its files are for a scrubbing pass before they
 * go into a repository.
 */
export async function exportLabelled(em: EntityManager, input: { outDir: string; since?: Date; actor: string }): Promise<ExportResult> {
  const corrections = await listCorrections(em, { since: input.since, limit: 100_000 });
  const written: ExportResult['written'] = [];
  const skipped: ExportResult['skipped'] = [];
  const lines = ['path\texpect_answer\tclass\tnote'];
  for (const c of [...corrections].reverse()) {
    const row = await em.findOne(InboundMessage, { id: c.inboundId }, { fields: ['id', 'raw'] });
    if (!row?.raw || row.raw.length === 0) {
      skipped.push({ inboundId: c.inboundId, reason: row ? 'raw source purged' : 'message deleted' });
      continue;
    }
    const file = `${c.label}/corrected-${c.inboundId}.eml`;
    mkdirSync(join(input.outDir, c.label), { recursive: true });
    writeFileSync(join(input.outDir, file), row.raw);
    const note = `classifier said ${c.classifiedAs}${c.classifierKind ? ` (${c.classifierKind})` : ''}; corrected by ${c.correctedBy} on ${c.createdAt.slice(0, 10)}`;
    lines.push([file, c.label === 'human' ? 'yes' : 'no', `corrected-${c.label}`, tsvCell(note)].join('\t'));
    written.push({ file, inboundId: c.inboundId, label: c.label });
  }
  const manifest = join(input.outDir, 'MANIFEST.tsv');
  mkdirSync(input.outDir, { recursive: true });
  writeFileSync(manifest, `${lines.join('\n')}\n`);
  await appendAudit(em, { actor: input.actor, action: 'messages.export-labelled', details: { written: written.length, skipped: skipped.length } });
  await em.flush();
  return { written, skipped, manifest };
}

export interface SuppressedMessage {
  id: number;
  receivedAt: string;
  kind: string | null;
  reasons: string[];
  from: string;
  subject: string;
  caseId: number | null;
}

/**
 * The latest messages ignored as automatic, with sender and subject read from their headers, for
 * a consultant to spot a person's question among them ("this was a person").
 */
export async function listSuppressed(em: EntityManager, readHeaders: (raw: Buffer) => Promise<{ from: string; subject: string }>, limit = 50): Promise<SuppressedMessage[]> {
  const rows = await em.find(InboundMessage, { state: 'ignored' }, { orderBy: { id: 'desc' }, limit, fields: ['id', 'receivedAt', 'kind', 'reasons', 'caseId', 'raw'] });
  const out: SuppressedMessage[] = [];
  for (const r of rows) {
    const headers = r.raw && r.raw.length ? await readHeaders(r.raw) : { from: '', subject: '' };
    out.push({ id: r.id, receivedAt: new Date(r.receivedAt).toISOString(), kind: r.kind ?? null, reasons: r.reasons, caseId: r.caseId ?? null, ...headers });
  }
  return out;
}
