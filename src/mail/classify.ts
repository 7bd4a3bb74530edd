import {
  autoReplySignals, automaticMailSignals, bounceSignals, feedbackSignals, listSignals, ownLoopSignals, spamSignals, type Signals,
} from './classify-signals.ts';
import { readBody } from './classify-body.ts';
import type { ParsedMessage } from './parsed-message.ts';

export type MessageKind = 'human' | 'auto-reply' | 'bounce' | 'list' | 'feedback-report' | 'own-loop' | 'spam-flagged';

export interface Classification {
  kind: MessageKind;
  /** Only `human` mail is ever answered. */
  answerable: boolean;
  /** Short phrases naming each signal that fired, the deciding family first. */
  reasons: string[];
}

export interface ClassifyContext {
  /** Domains of our own Message-IDs. */
  ownDomains: string[];
  /** Addresses we send from. */
  ownAddresses: string[];
}

/**
 * Decide whether an inbound message was written by a person (and may be answered) or by
 * software (never answered: answering automatic mail is how mail loops start).
 *
 * Every family of rules runs; the kind is the first family with a decisive signal, in this
 * order of precedence:
 * 1. `feedback-report`: an ARF report is about abuse, whatever else it carries;
 * 2. `bounce`: before own-loop, because a bounce returns our own reply and must reach the
 *    bounce reader so the outbox row can be marked;
 * 3. `own-loop`: our own Message-ID or From address coming back (never answer ourselves);
 * 4. `auto-reply`: RFC 3834 headers, read receipts, null Return-Path;
 * 5. `spam-flagged`: an upstream filter's verdict; ahead of `list` since it is more specific;
 * 6. `list`: list and bulk headers;
 * 7. `auto-reply` again: automatic mail with no standard header, by the sender/structure model
 *    (vacation templates, ticket acknowledgements, no-reply notifications), only when the body
 *    asks no coding question in the sender's own words;
 * 8. otherwise `human`, with any weak signals that fired listed as reasons.
 */
export function classifyMessage(msg: ParsedMessage, ctx: ClassifyContext): Classification {
  const body = readBody(msg);
  const families: Array<[Exclude<MessageKind, 'human'>, Signals]> = [
    ['feedback-report', feedbackSignals(msg)],
    ['bounce', bounceSignals(msg, body)],
    ['own-loop', ownLoopSignals(msg, ctx)],
    ['auto-reply', autoReplySignals(msg)],
    ['spam-flagged', spamSignals(msg, body)],
    ['list', listSignals(msg)],
    ['auto-reply', automaticMailSignals(msg, body)],
  ];
  const decided = families.find(([, signals]) => signals.decisive.length > 0);
  if (!decided) {
    const weak = families.flatMap(([, signals]) => signals.weak.map((reason) => `weak: ${reason}`));
    if (body.asksCodingQuestion && weak.length > 0) weak.push('asks a coding question in own words');
    return { kind: 'human', answerable: true, reasons: weak.length > 0 ? unique(weak) : ['no automatic signal'] };
  }
  const [kind, signals] = decided;
  const others = families.filter(([k]) => k !== kind).flatMap(([, s]) => s.decisive);
  return { kind, answerable: false, reasons: unique([...signals.decisive, ...others, ...signals.weak]) };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
