import { distance } from 'fastest-levenshtein';

/**
 * How much a consultant changed a suggested answer (issue 10 item 6). Pure: texts in, figures out.
 * Texts are compared after normalising line ends and trailing blanks (a browser sends CRLF; the
 * stored text is tidied), so an untouched textarea counts as unchanged.
 */

/** CRLF to LF, no trailing blanks on a line, no blank lines at either end. */
export function normaliseText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').trim();
}

/** Whether two reply texts are the same once normalised. */
export function sameText(a: string, b: string): boolean {
  return normaliseText(a) === normaliseText(b);
}

const GREETING = /^(?:hello|hi|hey|dear|good (?:morning|afternoon|evening))\b[^\n]{0,80},?$/i;
const SIGN_OFF = /^(?:kind regards|best regards|regards|best|thanks|thank you|sincerely|cheers)\b[^\n]{0,40},?$/i;

/**
 * The answer part of a reply text: the paragraphs between the `ANSWER` heading and `WHAT WE
 * CHECKED` of the answer template; a text without those headings is taken whole, less a greeting
 * line at its top and everything from a sign-off line on (they carry names).
 */
export function answerSection(text: string): string {
  const lines = normaliseText(text).split('\n');
  const start = lines.findIndex((l) => l.trim() === 'ANSWER');
  const end = lines.findIndex((l, i) => i > start && l.trim() === 'WHAT WE CHECKED');
  let body = start !== -1 && end !== -1 ? lines.slice(start + 1, end) : lines;
  const firstText = body.findIndex((l) => l.trim() !== '');
  if (firstText !== -1 && GREETING.test(body[firstText].trim())) body = body.slice(firstText + 1);
  const signOff = body.findIndex((l) => SIGN_OFF.test(l.trim()));
  if (signOff !== -1) body = body.slice(0, signOff);
  return body.join('\n').trim();
}

/** Levenshtein distance over the longer length: 0 the same, 1 nothing in common. */
export function normalisedDistance(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 0 : distance(a, b) / longest;
}

export interface EditMeasure {
  /** Null when there was no suggestion. */
  approvedUnchanged: boolean | null;
  /** Normalised edit distance between the suggested and the approved answer (0..1); null without a suggestion. */
  editDistance: number | null;
}

/** The figures stored on a draft when it is approved. */
export function measureEdit(input: { suggestedText: string | null | undefined; suggestedAnswer: string | null | undefined; approvedText: string }): EditMeasure {
  if (!input.suggestedText || !input.suggestedAnswer) return { approvedUnchanged: null, editDistance: null };
  if (sameText(input.suggestedText, input.approvedText)) return { approvedUnchanged: true, editDistance: 0 };
  const d = normalisedDistance(normaliseText(input.suggestedAnswer), answerSection(input.approvedText));
  return { approvedUnchanged: false, editDistance: Math.round(d * 10_000) / 10_000 };
}
