import { NAME_PARTICLES, NAME_SUFFIXES, NOT_NAME_WORDS } from './name-words.ts';
import type { Candidate } from './types.ts';

/**
 * Patient names. A name is only ever read after a cue, because a coder's mail is full of
 * capitalised words (payers, drugs, places, the coder's own name):
 *
 * - strong cues, after which lower case ("pt name: jane doe"), ALL CAPS and "Last, First M."
 *   count: "Patient Name:", "pt name", "member name", "name of patient", a bare "Name:" (but not
 *   "Provider name:", "Payer name:", …), "named", "the patient's name is";
 * - weak cues, after which one to four capitalised words count: "patient", "pt", "pt.",
 *   "Mr.", "Mrs.", "Ms.", "Miss", "Mx." (ALL CAPS also after a title or "Patient:");
 * - two or more capitalised words right before a DOB, MRN, MBI, SSN or member-ID label
 *   ("Jane Doe, DOB 01/02/1960") or right after such an identifier's value
 *   ("MRN 100293847 (Nathan Brooks)", see findNamesAfterIdentifiers).
 *
 * A capitalised word that is common in coder mail ("Patient Portal", "pt Medicare", "Mr. Smith
 * Was seen") ends the name; see NOT_NAME_WORDS. The span is the name alone, without its cue.
 */
export function findNames(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const cue of findCues(text)) {
    const end = readName(text, cue.end, cue.mode);
    if (end !== null) out.push({ kind: 'name', start: cue.end, end, labelled: cue.mode !== 'title-case', priority: cue.mode === 'title-case' ? 6 : 8 });
  }
  out.push(...namesBeforeIdentifiers(text));
  return out;
}

/** What a cue allows: lower-case tokens (after "name:"), ALL CAPS (after "Patient:"), or Title Case only. */
type Mode = 'any-case' | 'caps' | 'title-case';

interface Cue {
  end: number;
  mode: Mode;
}

const STRONG_CUE =
  /\b(?:(?:patient|pt\.?|member|subscriber|beneficiary|insured|client|resident|guarantor|policy\s*holder)(?:'s|s'|’s)?\s+(?:full\s+|legal\s+|last\s+|first\s+and\s+last\s+)?names?\b|name\s+of\s+(?:the\s+)?(?:patient|pt|member|subscriber)\b|(?:patient|pt|member)(?:'s|’s)?\s+(?:is\s+)?named\b|(?:his|her|their|the\s+(?:patient|pt)(?:'s|’s))\s+name\s+is\b)(?:\s*(?:is|was|[:=-]))*\s*/gi;
const BARE_NAME_LABEL = /(?<=^|[\n;,(|]|\s)name\s*[:=]\s*/gim;
const NOT_PATIENT_NAME_BEFORE =
  /\b(?:provider|payer|payor|plan|practice|facility|doctor|physician|company|group|file|user|code|drug|test|my|your|our|clinic|office|hospital|rendering|referring|billing|supervising|attending|ordering|employer|product|account|field|column|sender|contact|business|insurance|carrier|program|vendor|surgeon|procedure|device|brand|generic|medication|lab|pharmacy|agency|organization|org|full)\s*$/i;
const WEAK_CUE = /(?<![\w-])(?:([Pp]atient|PATIENT|[Pp]t\.?)|(Mr\.?|Mrs\.?|Ms\.?|Miss|Mx\.?|MR\.|MRS\.|MS\.)|(mr\.?|mrs\.?|ms\.))(?=[\s:,(|])([ \t]*[:,(|-]?[ \t]*)/g;

function findCues(text: string): Cue[] {
  const cues: Cue[] = [];
  for (const m of text.matchAll(STRONG_CUE)) cues.push({ end: m.index + m[0].length, mode: 'any-case' });
  for (const m of text.matchAll(BARE_NAME_LABEL)) {
    if (NOT_PATIENT_NAME_BEFORE.test(text.slice(Math.max(0, m.index - 30), m.index))) continue;
    cues.push({ end: m.index + m[0].length, mode: 'any-case' });
  }
  for (const m of text.matchAll(WEAK_CUE)) {
    // After a title, "Patient:" or a table column ("Patient   SMITH, JOHN", "Patient | SMITH, JOHN"), ALL CAPS is a name
    // too; after a title typed in lower case ("mr bixby"), so is lower case.
    const field = /:|\t|[ ]{2}|\|/.test(m[4]!);
    const mode: Mode = m[3] !== undefined ? 'any-case' : m[2] !== undefined || field ? 'caps' : 'title-case';
    cues.push({ end: m.index + m[0].length, mode });
  }
  return cues;
}

const AFTER_VALUE = /[ \t]*[,(–|/-]?[ \t]*/y;

/**
 * "MRN 100293847 (Nathan Brooks)", "acct 55-201934 - Jane Doe": two or more capitalised words
 * right after an identifier's value (`ends`: where each identifier ends).
 */
export function findNamesAfterIdentifiers(text: string, ends: number[]): Candidate[] {
  const out: Candidate[] = [];
  for (const end of ends) {
    AFTER_VALUE.lastIndex = end;
    const start = end + (AFTER_VALUE.exec(text)?.[0].length ?? 0);
    const nameEnd = readName(text, start, 'caps');
    if (nameEnd !== null && /\S[ \t,]+\S/.test(text.slice(start, nameEnd))) {
      out.push({ kind: 'name', start, end: nameEnd, labelled: false, priority: 5 });
    }
  }
  return out;
}

const TOKEN = /[A-Za-z][A-Za-z'’-]*\.?/y;
const GAP = /[ \t]+|,[ \t]+/y;

/** The end of the name starting at `pos`, or null when no name starts there. */
function readName(text: string, pos: number, mode: Mode): number | null {
  let end: number | null = null;
  let at = pos;
  let tokens = 0;
  let commaUsed = false;
  while (tokens < 4) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) break;
    const raw = m[0];
    const word = raw.replace(/[.'’]+$|['’]s$/g, '');
    const kind = tokenKind(raw, word, mode, tokens === 0);
    if (kind === 'stop') break;
    if (kind === 'name' || kind === 'suffix' || kind === 'initial') {
      // An initial or a suffix never starts a name; an initial alone does not make one.
      if (tokens === 0 && kind !== 'name' && !nextIsName(text, at + raw.length, mode)) break;
      end = at + nameLength(raw);
      tokens++;
      // "Jackson. Kenalog": a full word with a period ends the sentence, and the name.
      if (kind === 'name' && raw.endsWith('.')) break;
    } else if (kind === 'particle') {
      if (!nextIsName(text, at + raw.length, mode)) break;
    }
    GAP.lastIndex = at + raw.length;
    const gap = GAP.exec(text);
    if (!gap) break;
    if (gap[0].startsWith(',')) {
      // "Doe, Jane": one comma, right after the first word (the surname).
      if (commaUsed || tokens !== 1) break;
      commaUsed = true;
    }
    at += raw.length + gap[0].length;
  }
  return end;
}

type TokenKind = 'name' | 'initial' | 'particle' | 'suffix' | 'stop';

function tokenKind(raw: string, word: string, mode: Mode, first: boolean): TokenKind {
  const lower = word.toLowerCase();
  if (!first && NAME_SUFFIXES.test(raw)) return 'suffix';
  if (!first && NAME_PARTICLES.has(raw)) return 'particle';
  if (/^[A-Z]\.?$/.test(raw)) return 'initial';
  if (word.length < 2 || NOT_NAME_WORDS.has(lower)) return 'stop';
  if (/^[A-Z](?:[a-z]|['’][A-Z])/.test(word) && /[a-z]$/.test(word)) return 'name';
  if (/^[A-Z][A-Z'’-]+$/.test(word) && word.length >= 2) return mode === 'title-case' ? 'stop' : 'name';
  if (/^[a-z][a-z'’-]+$/.test(word)) return mode === 'any-case' ? 'name' : 'stop';
  return 'stop';
}

/** Whether a name word follows (after any particles: "de la Cruz"). */
function nextIsName(text: string, from: number, mode: Mode): boolean {
  let at = from;
  for (let n = 0; n < 3; n++) {
    GAP.lastIndex = at;
    const gap = GAP.exec(text);
    if (!gap) return false;
    TOKEN.lastIndex = at + gap[0].length;
    const m = TOKEN.exec(text);
    if (!m) return false;
    const kind = tokenKind(m[0], m[0].replace(/[.'’]+$|['’]s$/g, ''), mode, false);
    if (kind !== 'particle') return kind === 'name';
    at = at + gap[0].length + m[0].length;
  }
  return false;
}

/** A token's length in the name: a trailing possessive `'s` or a sentence period is not part of it. */
function nameLength(raw: string): number {
  const possessive = /['’]s$/.exec(raw);
  if (possessive) return raw.length - 2;
  if (raw.endsWith('.') && !/^[A-Z]\.$/.test(raw) && !NAME_SUFFIXES.test(raw)) return raw.length - 1;
  return raw.length;
}

const ID_LABEL_AHEAD = String.raw`(?:DOB|D\.O\.B\.?|date of birth|MRN|MBI|SSN|member\s*(?:id|#)|acct\s*#|account\s*#)\b`;
const NAME_BEFORE_ID = new RegExp(
  String.raw`(?<![A-Za-z'’-])((?:[A-Z][A-Za-z'’-]+|[A-Z]\.)(?:,?[ \t]+(?:[A-Z][A-Za-z'’-]+|[A-Z]\.?)){1,4})[ \t]*[,(:–|/-]?[ \t]*(?=${ID_LABEL_AHEAD})`,
  'g',
);

/**
 * A word in front of a name that is not part of it: a common word, or the first of three or more
 * words when it reads as a verb or adverb ("Admitting Harriet Cole, DOB …").
 */
function isLeadingNonName(word: string, wordsLeft: number): boolean {
  const w = word.replace(/\.$/, '').toLowerCase();
  return NOT_NAME_WORDS.has(w) || (wordsLeft >= 3 && /(?:ing|ed|ly)$/.test(w));
}

/** "Jane Doe, DOB 01/02/1960", "Doe, Jane (MRN 123456)": capitalised words right before an identifier label. */
function namesBeforeIdentifiers(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.matchAll(NAME_BEFORE_ID)) {
    const words = [...m[1]!.matchAll(/[A-Za-z][A-Za-z'’-]*\.?/g)];
    // Drop leading words that are not names ("Thanks Anna Lee", "Medicare pt Anna Lee").
    let first = 0;
    while (first < words.length && isLeadingNonName(words[first]![0], words.length - first)) first++;
    const kept = words.slice(first);
    if (kept.some((w) => NOT_NAME_WORDS.has(w[0].replace(/\.$/, '').toLowerCase()))) continue;
    // Two words of a name at least ("KOWALSKI, ANNA M" has two and an initial).
    if (kept.filter((w) => w[0].replace(/\.$/, '').length >= 2).length < 2) continue;
    const start = m.index + kept[0]!.index;
    const last = kept[kept.length - 1]!;
    out.push({ kind: 'name', start, end: m.index + last.index + nameLength(last[0]), labelled: false, priority: 5 });
  }
  return out;
}
