import type { EntityManager } from '@mikro-orm/core';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import { Attachment, AttachmentContent } from './attachment.entity.ts';
import { formatBytes } from './limits.ts';
import { servingPolicy, type ServingDecision } from './serving-policy.ts';

/** One attachment as the case page, the CLI and the JSON list show it (no content). */
export interface AttachmentListing {
  id: number;
  caseId: number;
  caseMessageId: number;
  name: string;
  declaredType: string;
  sniffedType: string;
  kind: string;
  size: number;
  sizeLabel: string;
  sha256: string | null;
  inline: boolean;
  state: string;
  reason: string | null;
  signature: string | null;
  scannedAt: string | null;
  textStatus: string;
  textNote: string | null;
  text: string | null;
}

/** The serving policy for a stored attachment row: `pending-scan` counts as not scanned. */
export function decisionFor(row: Pick<Attachment, 'state' | 'sniffedType' | 'name'>): ServingDecision {
  const status = row.state === 'over-limit' || row.state === 'unreadable' ? row.state : 'ok';
  const scan = row.state === 'clean' ? 'clean' : row.state === 'infected' ? 'infected' : 'not-scanned';
  return servingPolicy({ sniffedType: row.sniffedType, status, scan, name: row.name });
}

export function listingOf(row: Attachment, withText: boolean): AttachmentListing {
  return {
    id: row.id, caseId: row.caseId, caseMessageId: row.caseMessageId, name: row.name, declaredType: row.declaredType, sniffedType: row.sniffedType,
    kind: row.kind, size: row.size, sizeLabel: formatBytes(row.size), sha256: row.sha256 ?? null, inline: row.inline, state: row.state,
    reason: row.reason ?? null, signature: row.signature ?? null, scannedAt: row.scannedAt ? new Date(row.scannedAt).toISOString() : null,
    textStatus: row.textStatus, textNote: row.textNote ?? null, text: withText ? row.text ?? null : null,
  };
}

/** The attachments of a case or of one case message, in message then MIME order. */
export async function listAttachments(em: EntityManager, where: { caseId: number } | { caseMessageId: number }, options: { withText?: boolean } = {}): Promise<AttachmentListing[]> {
  const rows = await em.find(Attachment, where, { orderBy: [{ caseMessageId: 'asc' }, { partIndex: 'asc' }], populate: options.withText ? ['text'] : [] });
  return rows.map((r) => listingOf(r, options.withText ?? false));
}

/**
 * The content of an attachment and how it may be served, or why not: @throws NotFoundError when
 * there is no such attachment, ConflictError when it is infected (quarantined), not scanned yet,
 * or was never stored — the reason says which.
 */
export async function openAttachment(em: EntityManager, id: number): Promise<{ row: Attachment; decision: Extract<ServingDecision, { allowed: true }>; content: Buffer }> {
  const row = await em.findOne(Attachment, { id });
  if (!row) throw new NotFoundError(`attachment ${id} not found`);
  const decision = decisionFor(row);
  if (!decision.allowed) throw new AttachmentRefused(decision.code, `attachment ${id} cannot be opened: ${decision.reason}${row.signature ? ` (${row.signature})` : ''}`);
  const stored = await em.findOne(AttachmentContent, { attachmentId: id }, { populate: ['content'] });
  if (!stored) throw new AttachmentRefused('not-stored', `attachment ${id} cannot be opened: its content is missing`);
  return { row, decision, content: Buffer.from(stored.content) };
}

/** A refused download: infected, not scanned, or not stored (409 on the web, exit 1 in the CLI). */
export class AttachmentRefused extends ConflictError {
  constructor(readonly refusal: 'infected' | 'not-scanned' | 'not-stored', message: string) {
    super(message);
  }
}
