import type { CodeHit, ExtractedCodes } from '../../codes/extract/types.ts';
import { normalizeWords } from './normalize-words.ts';
import { findLookingFor, type LookingFor } from './looking-for.ts';
import { INTENT_RULES, type RuleContext } from './intent-rules.ts';
import type { Intent } from './types.ts';

export type { LookingFor } from './looking-for.ts';

/** The question as the intent core reads it: subject, new text, and the extractor's output for them. */
export interface QuestionInput {
  subject: string;
  /** The body's new text (see `extractNewText`): offsets of body hits point into it. */
  text: string;
  extraction: ExtractedCodes;
}

export interface QuestionIntents {
  /** In vocabulary order; `other` alone when nothing else applies. */
  intents: Intent[];
  /** For `code-for-words`: the described service or condition, and the code set asked for. */
  lookingFor: LookingFor | null;
}

/** Placeholders that stand for codes in the text the rules read. */
export const PLACEHOLDER = { procedure: 'qqp', diagnosis: 'qqd', pcs: 'qqx', modifier: 'qqm' } as const;

/** Modifiers whose only job is to report a pair of codes that an NCCI edit would bundle. */
const UNBUNDLING = new Set(['59', 'XE', 'XS', 'XP', 'XU', '25']);

const ORDER: Intent[] = ['ncci-pair', 'units', 'validity', 'billable', 'descriptor', 'modifier', 'code-for-words'];

/**
 * Recognise what a coder asks (SUGGEST.md vocabulary; several intents may apply).
 *
 * Pure and synchronous. The codes the extractor found are replaced by placeholders
 * ({@link PLACEHOLDER}) so the rules read "can qqp be billed with qqp", misspelt keywords are
 * normalised (normalize-words.ts), and the table of rules in intent-rules.ts decides. A rule
 * may need context: how many procedure codes are named, whether units were written, whether an
 * E/M visit is mentioned. `code-for-words` also returns the words to search for.
 */
export function detectIntents(input: QuestionInput): QuestionIntents {
  const hits = input.extraction.hits ?? [];
  const subject = maskCodes(input.subject, hits.filter((h) => h.field === 'subject'));
  const body = maskCodes(input.text, hits.filter((h) => h.field === 'body'));
  // The subject is a sentence of its own; runs of spaces (codes masked, table cells) are one space.
  const text = normalizeWords(`${stripReplyPrefix(subject)}\n.\n${body}`).replace(/[ \t\u00a0]+/g, ' ');
  const procedures = new Set([...input.extraction.cpt, ...input.extraction.hcpcs]).size;
  const ctx: RuleContext = {
    text,
    procedures,
    diagnoses: input.extraction.icd10cm.length + input.extraction.icd10pcs.length,
    modifiers: input.extraction.modifiers.length,
    unitsWritten: hits.some((h) => h.units !== undefined),
  };
  const found = new Set<Intent>();
  for (const rule of INTENT_RULES) {
    if (found.has(rule.intent) || rule.fallback) continue;
    if (rule.pattern.test(text) && (!rule.when || rule.when(ctx))) found.add(rule.intent);
  }
  // Fallback rules speak only when no rule of the same family did ("rejected" + a diagnosis).
  for (const rule of INTENT_RULES) {
    if (!rule.fallback || rule.fallback.some((i) => found.has(i))) continue;
    if (rule.pattern.test(text) && (!rule.when || rule.when(ctx))) found.add(rule.intent);
  }
  // Units written with a code ("J1885 x8", "97110 x 3") ask about units when nothing else is asked.
  if (ctx.unitsWritten && ![...found].some((i) => i !== 'modifier')) found.add('units');
  // A modifier the extractor reports is a modifier actually used or asked about; one that
  // unbundles (59, X{EPSU}, 25) between two named procedures makes it a pair question too.
  if (ctx.modifiers > 0) found.add('modifier');
  if (procedures >= 2 && input.extraction.modifiers.some((m) => UNBUNDLING.has(m))) found.add('ncci-pair');
  const lookingFor = found.has('code-for-words') ? findLookingFor(text) : null;
  if (found.has('code-for-words') && !lookingFor) found.delete('code-for-words');
  const intents = ORDER.filter((i) => found.has(i));
  return { intents: intents.length ? intents : ['other'], lookingFor };
}

/** `RE: FW: …` carries no question. */
function stripReplyPrefix(subject: string): string {
  return subject.replace(/^\s*(?:(?:re|fwd?|fw|aw|sv|tr)\s*:\s*|\[[^\]]*\]\s*)+/i, '');
}

function placeholderOf(hit: CodeHit): string {
  switch (hit.system) {
    case 'cpt':
    case 'hcpcs':
      return PLACEHOLDER.procedure;
    case 'icd10cm':
      return PLACEHOLDER.diagnosis;
    case 'icd10pcs':
      return PLACEHOLDER.pcs;
    case 'modifier':
      return PLACEHOLDER.modifier;
  }
}

/** Replace each hit's span by its placeholder (spaced, so `99213-25` reads `qqp qqm`). */
export function maskCodes(text: string, hits: CodeHit[]): string {
  if (hits.length === 0) return text;
  const sorted = [...hits].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const h of sorted) {
    if (h.start < at) continue;
    out += `${text.slice(at, h.start)} ${placeholderOf(h)} `;
    at = h.end;
  }
  return out + text.slice(at);
}
