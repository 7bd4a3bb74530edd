import { AMBIGUOUS_STANDALONE, ENGLISH_TWO_LETTER, NUMERIC_MODIFIERS } from './lexicon.ts';
import { inGibberish } from './context.ts';
import { type Add, isAlnumOrHyphen, isModifierItem, NOT_AFTER_ITEM, parseList } from './modifier-items.ts';
import type { CodeHit } from './types.ts';

/**
 * Modifiers named by their context rather than by the word "modifier" (EXTRACTION.md: "plainly
 * used as a modifier"): anesthesia and physical-status modifiers in anesthesia talk (`00790-QZ,
 * 152 minutes, P3`), a modifier spoken of as a thing ("the 95 goes away", "the LT and RT codes"),
 * placed on a line ("then 93 on the line"), offered as the answer to a question ("or 74?"), or
 * given late in a clause after "modifier" ("the modifier we add … is 95"). Numbers count only in
 * a message that talks about codes (`talk`), and only the modifiers coders speak of that way.
 */

/** Two-digit modifiers that coders speak of as things ("the 25", "put 76 on"). */
const SPOKEN_NUMBERS = new Set([
  '22', '24', '25', '26', '27', '50', '51', '52', '53', '54', '55', '56', '57', '58', '59', '62', '63', '66',
  '73', '74', '76', '77', '78', '79', '80', '81', '82', '91', '93', '95', '96', '97',
]);

/** Words of anesthesia talk, where `AA`, `AD`, `QS`, `G8`, `G9` and `P1`–`P6` are modifiers. */
const ANESTHESIA_TALK =
  /\b(?:an(?:a)?esthe\w*|crnas?|medical(?:ly)? direct\w*|base units?|physical status|monitored anesthesia care)\b|\b(?:Q[KXYZ]|MAC|ASA\s*(?:class\s*)?(?:[1-6]|I{1,3}|IV|VI?|P[1-6]))\b/;
const ANESTHESIA_MODIFIER = /AA|AD|QS|G8|G9|P[1-6]/g;

/** All rules of this file. */
export function contextualModifiers(text: string, codes: CodeHit[], talk: boolean, add: Add): void {
  anesthesia(text, codes, add);
  determiners(text, talk, add);
  if (!talk) return;
  onTheLine(text, add);
  questionEnds(text, add);
  namedByMeaning(text, add);
  placedOnLines(text, add);
  eitherOrQuestions(text, add);
  judged(text, add);
}

/** "is 33 relevant", "is 25 needed here": a spoken modifier whose use is in question. */
const JUDGED = /\b(?:is|are|be|isn't|was)\s+(?:the\s+)?(-?)(\d{2})\s+(?:(?:even|really|still|also)\s+)?(?:relevant|needed|required|necessary|appropriate|applicable|allowed|supported|warranted)\b/gi;

function judged(text: string, add: Add): void {
  JUDGED.lastIndex = 0;
  for (let m = JUDGED.exec(text); m; m = JUDGED.exec(text)) {
    const item = m[2]!;
    if (!SPOKEN_NUMBERS.has(item) && !(NUMERIC_MODIFIERS.has(item) && sentenceNamesModifier(text, m.index, true))) continue;
    add(m.index + m[0].indexOf(m[1]! + item) + m[1]!.length, item, item);
  }
}

/**
 * "bilateral 50", "assistant at surgery 80", "reduced services 52", "preventive 33": the
 * modifier's meaning written right before it. Each number only after its own meaning.
 */
const MEANINGS: [RegExp, string][] = [
  [/\bbilateral(?: procedure)?\s+(?:mod(?:ifier)?\s+)?(50)\b/gi, '50'],
  [/\b(?:assistant|assist)(?: (?:at )?surgery| surgeon)?\s+(?:mod(?:ifier)?\s+)?(80|81|82)\b/gi, ''],
  [/\breduced(?: services?)?\s+(?:mod(?:ifier)?\s+)?(52)\b/gi, '52'],
  [/\bdiscontinued(?: procedure)?\s+(?:mod(?:ifier)?\s+)?(53|73|74)\b/gi, ''],
  [/\b(?:repeat(?: procedure)?)\s+(?:mod(?:ifier)?\s+)?(76|77)\b/gi, ''],
  [/\bstaged(?: procedure)?\s+(?:mod(?:ifier)?\s+)?(58)\b/gi, '58'],
  [/\bdistinct(?: procedural)?(?: service)?\s+(?:mod(?:ifier)?\s+)?(59)\b/gi, '59'],
  [/\bpreventive(?: services?)?\s+(?:mod(?:ifier)?\s+)?(33)\b/gi, '33'],
  [/\bdecision for surgery\s+(?:mod(?:ifier)?\s+)?(57)\b/gi, '57'],
];

function namedByMeaning(text: string, add: Add): void {
  for (const [re] of MEANINGS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const item = m[1]!;
      if (NOT_AFTER_ITEM.test(text.slice(m.index + m[0].length, m.index + m[0].length + 12))) continue;
      add(m.index + m[0].length - 2, item, item);
    }
  }
}

/** "PT goes on both lines", "GP stays on", "the KX comes off": a modifier moved on or off a line. */
const PLACED = /(?<![A-Za-z0-9-])([A-Z]{2}|[A-Z]\d|\d{2})\s+(?:goes|go|stays?|belongs?|comes?|went|stayed)\s+(?:on|onto|off|with|first|last|in the (?:first|second))\b/g;

function placedOnLines(text: string, add: Add): void {
  PLACED.lastIndex = 0;
  for (let m = PLACED.exec(text); m; m = PLACED.exec(text)) {
    const item = m[1]!;
    if (/^\d/.test(item) ? !SPOKEN_NUMBERS.has(item) : !isModifierItem(item, true)) continue;
    if (!inGibberish(text, m.index, m.index + 2)) add(m.index, item, item);
  }
}

/**
 * "Is it AS for the PA or 80?", "Should we use 26 or TC?": both items of an either/or question
 * about what to use are modifiers, when both are.
 */
const EITHER_OR =
  /\b(?:is it|should (?:it|we|i) (?:be|use|bill|append|add)|do (?:we|i) (?:use|bill|append|add)|would it be)\s+(-?)([A-Z]{2}|[A-Z]\d|\d{2})\b((?:\s+(?:for|on|with)\s+(?:the\s+|a\s+)?[\w/-]+)?\s+or\s+(?:the\s+)?)(-?)([A-Z]{2}|[A-Z]\d|\d{2})\s*\?/gi;

function eitherOrQuestions(text: string, add: Add): void {
  EITHER_OR.lastIndex = 0;
  for (let m = EITHER_OR.exec(text); m; m = EITHER_OR.exec(text)) {
    const first = m[2]!;
    const second = m[5]!;
    const ok = (t: string) => (/^\d/.test(t) ? NUMERIC_MODIFIERS.has(t) : t === t.toUpperCase() && isModifierItem(t, true));
    if (!ok(first) || !ok(second)) continue;
    const firstAt = m.index + m[0].indexOf(m[1]! + first + m[3]!) + m[1]!.length;
    const secondAt = m.index + m[0].length - m[0].slice(m[0].lastIndexOf(second)).length;
    add(firstAt, first, first);
    add(secondAt, second, second);
  }
}

/** `AA`, `AD`, `QS`, `G8`, `G9`, `P1`–`P6` in capitals, in a message about anesthesia. */
function anesthesia(text: string, codes: CodeHit[], add: Add): void {
  // The tokens are rare in other mail: look for them first, for the talk only when one is there.
  ANESTHESIA_MODIFIER.lastIndex = 0;
  let talk: boolean | null = null;
  for (let m = ANESTHESIA_MODIFIER.exec(text); m; m = ANESTHESIA_MODIFIER.exec(text)) {
    const at = m.index;
    // A token of its own: no letter, digit or hyphen before; none after (`-` only before another modifier).
    if (at > 0 && isAlnumOrHyphen(text.charCodeAt(at - 1))) continue;
    const after = text.charCodeAt(at + 2);
    if (isAlnumOrHyphen(after) && !(after === 45 && /^-(?:[A-Z]\d|[A-Z]{2})/.test(text.slice(at + 2, at + 5)))) continue;
    talk ??= codes.some((c) => c.system === 'cpt' && /^0[01]\d{3}$/.test(c.code) && c.code >= '00100') || ANESTHESIA_TALK.test(text);
    if (!talk) return;
    if (!inGibberish(text, at, at + 2)) add(at, m[0], m[0]);
  }
}

const DETERMINER = /\b(?:[Tt]he|[Aa]n?|[Tt]hat|[Tt]his|[Nn]o|[Aa]ny|[Oo]ur|[Tt]heir|[Yy]our|[Hh]is|[Hh]er|[Ii]ts)\s+(?=-?(?:\d{2}|[A-Z]{2}|[A-Z]\d)(?![A-Za-z0-9]))/g;
/** After "the 25": what makes it a quantity, an age or an ordinal rather than a modifier. */
const NOT_AFTER_SPOKEN = /^\s*(?:of\b|to\b|through\b|thru\b|or more\b|and (?:older|up|over|under)\b|[-–/:]|\.\d|,\d|year|yr|day|hour|minute|min\b|week|month|%|x\b)/i;
/**
 * After "the 25" spoken of as a modifier comes a verb, a preposition, a conjunction or the end
 * of the clause ("the 95 goes away", "the 59 on the biopsy"); after a count comes its noun
 * ("the 50 states").
 */
const AFTER_SPOKEN_NUMBER =
  /^\s*(?:[.,;:?!)"”']|$|(?:and|or|but|nor|on|onto|off|for|with|in|from|at|after|before|instead|vs|versus|is|was|are|were|isn't|wasn't|goes|go|went|gone|got|gets|get|should|shouldn't|would|will|won't|can|can't|could|might|may|must|needs?|needed|did|didn't|does|doesn't|do|don't|has|have|had|triggered|caused|causes|applies|apply|only|too|also|alone|here|there|still|then|modifier|modifiers|mods?|really|itself|comes?|came|stays?|stayed|even|though|anyway|again|yet|now|as|so|because|since|when|if|unless|right|correct|wrong|ok|okay)\b)/i;

/** "the 95 goes away", "the 25 was fine", "the LT and RT codes", "no 59". */
function determiners(text: string, talk: boolean, add: Add): void {
  DETERMINER.lastIndex = 0;
  for (let m = DETERMINER.exec(text); m; m = DETERMINER.exec(text)) {
    const at = m.index + m[0].length;
    const item = /^-?([A-Za-z0-9]{2})/.exec(text.slice(at, at + 3))![1]!;
    const end = at + (text[at] === '-' ? 3 : 2);
    if (NOT_AFTER_SPOKEN.test(text.slice(end, end + 12))) continue;
    if (/^\d/.test(item)) {
      if (!talk || !SPOKEN_NUMBERS.has(item) || !AFTER_SPOKEN_NUMBER.test(text.slice(end, end + 12))) continue;
    } else if (AMBIGUOUS_STANDALONE.has(item) || ENGLISH_TWO_LETTER.has(item)) continue;
    parseList(text, at, true, add, talk);
  }
}

const ON_THE_LINE =
  /(?<![\w.$/-])(\d{2})\s+on\s+(?:(?:the|a|an|each|every|both|all|that|this|these|those|our|my|his|her|their)\s+)?(?:[\w/-]+\s+){0,2}?(?:lines?|claims?|codes?|ones?|procedures?|visits?|e\/?m|services?|charges?|injections?|biops(?:y|ies)|ekgs?|x-?rays?|scans?|add-?ons?|\d{5}|[A-V]\d{4})\b/gi;

/** "then 93 on the line", "I had 53 on a similar one". */
function onTheLine(text: string, add: Add): void {
  ON_THE_LINE.lastIndex = 0;
  for (let m = ON_THE_LINE.exec(text); m; m = ON_THE_LINE.exec(text)) {
    if (SPOKEN_NUMBERS.has(m[1]!)) add(m.index, m[1]!, m[1]!);
  }
}

/** Read back from a `?`: the words before a two-digit answer. */
const QUESTION_END = /\b(?:or|and|vs\.?|not|be|is|it's|want|wants)\s+(-?)(\d{2})\s*$/;

/**
 * "is 73 correct or 74?", "Should it be 77?": a modifier offered as the answer. After "or",
 * "and", "vs" or "not" only when the sentence already names a modifier (`65 or 66?` is an age).
 */
function questionEnds(text: string, add: Add): void {
  for (let q = text.indexOf('?'); q >= 0; q = text.indexOf('?', q + 1)) {
    const from = Math.max(0, q - 20);
    const m = QUESTION_END.exec(text.slice(from, q));
    if (!m) continue;
    const item = m[2]!;
    if (!NUMERIC_MODIFIERS.has(item)) continue;
    const at = from + m.index;
    if (/^(?:or|and|vs|not)\b/i.test(m[0]) && !sentenceNamesModifier(text, at)) continue;
    add(at + m[0].length - m[0].slice(m[0].indexOf(item)).length, item, item);
  }
}

/** Whether the sentence before `at` names a two-digit modifier or the word "modifier". */
function sentenceNamesModifier(text: string, at: number, letters = false): boolean {
  const from = Math.max(0, at - 120);
  const before = text.slice(from, at);
  const cut = Math.max(before.lastIndexOf('. '), before.lastIndexOf('? '), before.lastIndexOf('! '), before.lastIndexOf('\n'));
  const sentence = before.slice(cut + 1);
  if (/\bmod(?:ifier)?s?\b/i.test(sentence)) return true;
  for (const m of sentence.matchAll(/(?<![\w.$/-])(\d{2})(?![\w%])/g)) if (NUMERIC_MODIFIERS.has(m[1]!)) return true;
  // With `letters`, a distinctive letter modifier in capitals counts too ("used GY …, or is 33 …").
  if (letters) for (const m of sentence.matchAll(/(?<![\w-])([A-Z][A-Z0-9])(?![\w-])/g)) if (!AMBIGUOUS_STANDALONE.has(m[1]!) && isModifierItem(m[1]!, true)) return true;
  return false;
}

const LATER_IN_CLAUSE = /^[^.?!;:\n]{0,50}?\b(?:is|are|was|=|be)\s+(?:an?\s+|the\s+)?/i;

/** "the modifier we add for commercial plans is 95": the item later in the clause. */
export function laterInClause(text: string, wordEnd: number, add: Add): void {
  const m = LATER_IN_CLAUSE.exec(text.slice(wordEnd, wordEnd + 80));
  if (m) parseList(text, wordEnd + m[0].length, true, add);
}

const LOOSE_ALTERNATIVE =
  /^(?:[^.?!;\n]{0,40}?\b(?:instead of|rather than|in place of)\s+|\s+for\s+[A-Za-z][A-Za-z ]{0,20}?,\s*(?:and\s+|or\s+|but\s+)?)(-?)(\d{2}|[A-Z]{2}|[A-Z]\d)(?![A-Za-z0-9])/;

/** Whether the text has a phrase of {@link looseAlternative} (`instead of`, `rather than`, `in place of`). */
function hasInsteadWords(text: string): boolean {
  return text.includes('instead of') || text.includes('rather than') || text.includes('in place of');
}

/**
 * "then 93 on the line instead of 95", "PT for medicare, 33 for commercial": the alternative a
 * few words after a modifier found.
 */
export function looseAlternative(text: string, hit: CodeHit, add: Add): void {
  const window = text.slice(hit.end, hit.end + 64);
  // The regex can match only with one of its phrases after the hit, or ` for ` right after it.
  if (!hasInsteadWords(window) && !/^\s+for\s/.test(window)) return;
  const m = LOOSE_ALTERNATIVE.exec(window);
  if (!m) return;
  if (!m[0].includes('instead') && !m[0].includes('rather') && !m[0].includes('place') && !/^\s+for\b/.test(text.slice(hit.end + m[0].length, hit.end + m[0].length + 6))) return;
  const start = hit.end + m[0].length - m[2]!.length;
  if (isModifierItem(m[2]!, true) && !NOT_AFTER_ITEM.test(text.slice(start + 2, start + 14))) add(start, m[2]!, m[2]!);
}
