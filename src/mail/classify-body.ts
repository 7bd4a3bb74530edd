import { extractCodes } from '../codes/extract/index.ts';
import { BLOCK_BODY, NOTICE_BODY, VACATION_TEMPLATE } from './classify-rules.ts';
import { extractNewText } from './new-text.ts';
import type { ParsedMessage } from './parsed-message.ts';

/**
 * What the sender wrote at the top of the message, read for the classifier: does it ask a
 * coding question in the sender's own words, or does it read like a template (a vacation
 * notice, a notification, an acknowledgement, a block notice)? Quoted history, forwarded
 * messages, signatures and what follows a separator line (a ticket system's copy of our
 * message) are left out: a person forwarding an auto-reply to ask about it wrote only the part
 * above the forward, and an auto-reply that quotes our question did not ask it.
 */
export interface BodyReading {
  /** The top text: the new text before any forward, at most 4 KB. */
  top: string;
  /** A question about codes in the sender's own words (codes or coding words, and a real question). */
  asksCodingQuestion: boolean;
  /** Distinct vacation-template phrases in the top text. */
  vacation: string[];
  /** Distinct notification / acknowledgement phrases in the top text. */
  notice: string[];
  /** Distinct security-gateway block phrases in the top text. */
  block: string[];
}

const FORWARD_MARKER =
  /^\s*(?:-{2,}\s*(?:Forwarded message|Forwarded Message|Original Message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado)\s*-{2,}|Begin forwarded message:|_{10,}\s*$|-{10,}\s*$|From:\s.+\b(?:Sent|Date):)/im;
const TOP_LIMIT = 4096;

/** Read the top of a message (see {@link BodyReading}). */
export function readBody(msg: ParsedMessage): BodyReading {
  let text = msg.text.slice(0, 64 * 1024);
  // HTML-only mail: a linear tag strip, not an HTML parser (hostile nesting must not recurse).
  if (text.trim() === '' && msg.html) text = stripTags(msg.html.slice(0, 64 * 1024));
  let top = extractNewText({ text });
  const forward = FORWARD_MARKER.exec(top);
  if (forward) top = top.slice(0, forward.index);
  top = top.slice(0, TOP_LIMIT);
  const vacation = phrases(VACATION_TEMPLATE, top);
  const notice = phrases(NOTICE_BODY, top);
  const templated = notice.length >= 2 || vacation.length >= 3;
  return { top, asksCodingQuestion: asksCodingQuestion(top, templated), vacation, notice, block: phrases(BLOCK_BODY, top) };
}

/** Visible text of HTML, roughly: block ends become line breaks, tags and comments go, a few entities are decoded. */
export function stripTags(html: string): string {
  return html
    .replace(/<(style|script|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(?:br|\/p|\/div|\/tr|\/li|\/h[1-6]|\/table|\/blockquote)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/[ \t]+/g, ' ');
}

function phrases(table: RegExp[], text: string): string[] {
  return table.filter((re) => re.test(text)).map((re) => re.source);
}

/** Coding words that make a question a coding question even without a code written in it. */
export const CODING_WORDS =
  /\b(?:modifiers?|mod|cpt|hcpcs|icd(?:-?10)?(?:-cm|-pcs)?|dx|diagnos[ie]s|bill(?:ed|ing|able)?|cod(?:e|es|ed|ing)|claims?|denials?|denied|payers?|e\/m|units?|ncci|bundl(?:e|ed|ing)|modificador(?:es)?|facturar|código|modificateur|facturer|code)\b/i;
/** Questions that templates ask ("Questions?", "Need help?"): not the sender's own question. */
const TEMPLATE_QUESTION =
  /^(?:(?:any |have |got )?questions?(?: or concerns| about [^?]*| regarding [^?]*)?|(?:have|got) (?:an? )?(?:urgent |immediate |quick |billing |coding |other )*(?:question|issue|matter|request|concern)s?[^?]*|is (?:this|it|your [\w ]+) urgent[^?]*|need (?:help|assistance|more help|immediate help)[^?]*|looking for [^?]*|want to [^?]*|not you|did you know[^?]*|why (?:am i|are you|did i|do i) (?:receiving|getting)[^?]*|(?:do not|don't|please do not) [^?]*|¿preguntas[^?]*)\??$/i;
/** Header lines a notice repeats from the message it is about. */
const QUOTED_HEADER_LINE = /^[ \t]*(?:subject|from|to|cc|date|sent|betreff|objet|asunto)[ \t]*:.*$/gim;
/** A sentence that asks without a question mark: it opens like a question ("Can we bill …"). */
const INTERROGATIVE =
  /^(?:(?:hi|hello|hey|quick question|question|also|so|and|but|ok|okay|sorry)[,:!]?\s+)?(?:can|could|should|would|do|does|did|is|are|was|were|what|which|how|why|whether|when|where)\s+\S/i;
/** How a question or request to us starts when there is no question mark. */
const REQUEST =
  /\b(?:can you|could you|would you|please (?:advise|let (?:me|us) know|confirm|help|clarify|explain)|let (?:me|us) know|i(?:'m| am) (?:wondering|not sure|confused|unsure)|we(?:'re| are) (?:wondering|not sure|confused|unsure)|any (?:advice|guidance|thoughts)|need (?:your )?(?:advice|guidance|help) (?:on|with)|(?:(?:i|we) )?(?:need|want|would like) to know|(?:my|our|quick) question(?: is)?:|not sure (?:if|whether|which|how)|podr[ií]an?|me puede[ns]?|saber si|pouvez-vous|pourriez-vous|est-ce que|savoir si)\b/i;

/**
 * A coding question in the sender's own words: a question sentence (ending in `?`, opened by
 * `¿`, opening like a question, or a request such as "please advise") that is not a template's
 * own question ("Questions? Call us", "Do not reply"), and that names a code or uses coding
 * words, or sits in a text that names a code. In a body that reads like a template (`templated`)
 * the question itself must be about codes.
 */
export function asksCodingQuestion(top: string, templated = false): boolean {
  // A notice quoting our message's header lines ("Subject: Re: Can 99214 be billed…?") did not ask it.
  const sentences = questionSentences(top.replace(QUOTED_HEADER_LINE, ''));
  if (sentences.length === 0) return false;
  let codes: boolean | null = null;
  for (const sentence of sentences) {
    if (TEMPLATE_QUESTION.test(sentence)) continue;
    if (sentence.split(/\s+/).length < 3) continue;
    if (CODING_WORDS.test(sentence) || mentionsCodes(sentence)) return true;
    // In a body that reads like a template, only a question that is itself about codes counts.
    if (templated) continue;
    codes ??= mentionsCodes(top);
    if (codes) return true;
  }
  return false;
}

/** Sentences of the text that ask something: end in `?`, start with `¿`, or make a request. */
function questionSentences(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/(?<=[.?!])\s+|\n\s*\n|\n(?=\s*[-*•]\s)/)) {
    const sentence = raw.replace(/\s+/g, ' ').trim();
    if (sentence === '') continue;
    if (/[?？]\s*["'”)]*$/.test(sentence) || sentence.includes('¿') || REQUEST.test(sentence) || INTERROGATIVE.test(sentence)) out.push(sentence);
  }
  return out;
}

export function mentionsCodes(text: string): boolean {
  const got = extractCodes({ subject: '', body: text });
  return got.cpt.length + got.hcpcs.length + got.icd10cm.length + got.icd10pcs.length + got.modifiers.length > 0;
}
