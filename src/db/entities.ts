import type { EntitySchema } from '@mikro-orm/core';
import { attachmentEntities } from '../attachments/attachment.entity.ts';
import { AuditChainHeadSchema } from '../audit/audit-chain.entity.ts';
import { DataKeySchema } from '../crypto/data-key.entity.ts';
import { CaseMessageSchema, CaseSchema } from '../cases/case.entity.ts';
import { ClassificationCorrectionSchema } from '../cases/correction.entity.ts';
import { codeEntities } from '../codes/entities.ts';
import { AnswerKeySchema } from '../drafts/answer-key.entity.ts';
import { DraftSchema } from '../drafts/draft.entity.ts';
import { ImpactSchema } from '../impact/impact.entity.ts';
import { InboundMessageSchema, MailboxCursorSchema } from '../ingest/ingest.entity.ts';
import { AuditEntrySchema } from '../review/audit.entity.ts';
import { CaseNoteSchema } from '../review/case-note.entity.ts';
import { ReusableAnswerSchema } from '../review/reusable-answer.entity.ts';
import { UserSchema } from '../review/user.entity.ts';
import { OutboxSchema } from '../cases/outbox.entity.ts';
import { subscriberEntities } from '../subscribers/entities.ts';
import { WebSessionSchema } from '../web/web-session.entity.ts';

/** Every entity of the one schema, shared by SQLite and PostgreSQL. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const allEntities: EntitySchema<any>[] = [
  MailboxCursorSchema,
  InboundMessageSchema,
  CaseSchema,
  CaseMessageSchema,
  DraftSchema,
  AnswerKeySchema,
  OutboxSchema,
  AuditEntrySchema,
  UserSchema,
  CaseNoteSchema,
  ReusableAnswerSchema,
  WebSessionSchema,
  ClassificationCorrectionSchema,
  ImpactSchema,
  DataKeySchema,
  AuditChainHeadSchema,
  ...codeEntities,
  ...subscriberEntities,
  ...attachmentEntities,
];
