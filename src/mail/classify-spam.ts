import { type BodyReading, CODING_WORDS, mentionsCodes } from './classify-body.ts';
import type { ParsedMessage } from './parsed-message.ts';

/**
 * Spam recognised from its content, for mail that no upstream filter marked (most of it: a
 * small practice's mailbox often has none). High precision first: a question about codes is
 * never called spam, whatever it says, and the rest needs several independent pieces of
 * evidence (phrases of bulk advertising, phishing and scams; a shouting subject; a display
 * name that is another address; a body that is mostly links).
 */

/** The Generic Test for Unsolicited Bulk Email: every filter treats it as spam. */
const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

/** Phrases any bulk mail uses, a legitimate newsletter too: they count, but never decide alone. */
const GENERIC_PHRASES: RegExp[] = [
  /\bclick (?:here|the link below|below)\b/i,
  /\b(?:to be removed|remove (?:me|yourself|your (?:e-?mail|address|name))|remove box|removal (?:link|instructions))\b/i,
];

/** Phrases of advertising, scams and phishing that a person or a legitimate notice does not write. */
const SPAM_PHRASES: RegExp[] = [
  /\b100\s?%\s?(?:free|natural|guarantee(?:d)?|satisfaction|legal|safe)\b|\bsatisfaction guaranteed\b|\bmoney[- ]back guarantee\b/i,
  /\b(?:no credit card|no charge card|risk[- ]free|free (?:trial|gift|scan|download|access|quote|bonus))\b|\bfor free!/i,
  /\b(?:viagra|via\.gra|cialis|medz|dizcounnt|purrchaze|prescription (?:medicines?|drugs?) online|online pharmacy|weight loss)\b/i,
  /\b(?:you (?:have been|were|are) (?:specially )?selected|congratulations|wir gratulieren|giveaway|lottery|jackpot|you(?:'ve| have)? won)\b|\bwinning\b/i,
  /\b(?:generat(?:e|ing) a fortune|make money|earn (?:\$|money|cash)|extra income|work from home|millionen euro|million (?:euro|dollars)|euro pro jahr|financial freedom)\b/i,
  /\b(?:special (?:package|price|offer|deal)|lowest prices?|low price|massive discount|huge discount|save \$?\d[\d,.]*|\d+\s?% off)\b/i,
  /\b(?:act now|call now|order (?:now|today)|buy now|limited time|instant access|don't miss (?:out|this)|while supplies last)\b/i,
  /\b(?:traffic to your web ?site|web ?site traffic|traffic building|link exchange|top placement|search engine (?:ranking|optimi[sz]ation)|top ten search engines)\b/i,
  /\b(?:serious relationship|pictures of me|lonely|hot singles|adult (?:content|site))\b/i,
  /\b(?:your e-?mail address was obtained|purchased list|opt[- ]in list|this is (?:an )?advertisement)\b/i,
  /\b(?:wire transfer|tt copy|payment (?:advice|details) (?:is )?attached|kindly (?:find|forward|confirm|open)|quotation|rfq)\b/i,
  /\b(?:verify your (?:account|identity|password)|account (?:has been |will be |maybe |may be )?(?:suspended|locked|closed|deactivated|shut ?down)|(?:account )?deactivation request|confirm your (?:account|password|identity)|update your (?:payment|banking) (?:information|details))\b/i,
];

/** Subject tells: several shouted words, `!!`, money amounts, `FREE`, `ADV:`. */
function shoutingSubject(subject: string): boolean {
  const shouted = subject.match(/\b[A-Z]{4,}\b/g) ?? [];
  return shouted.length >= 2 || /!{2,}|^\s*ADV\b|\$\s?\d|\d\s?\$|\bFREE\b/.test(subject);
}

/** `"someone@bank.example" <other@elsewhere.example>`: a display name that is a different address. */
function spoofedName(msg: ParsedMessage): boolean {
  const name = msg.from?.name ?? '';
  const address = (msg.from?.address ?? '').toLowerCase();
  const shown = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(name)?.[0].toLowerCase();
  return shown !== undefined && shown !== address;
}

function linkHeavy(top: string): boolean {
  const links = top.match(/\bhttps?:\/\/\S+/gi) ?? [];
  return links.length >= 3 && top.replace(/\bhttps?:\/\/\S+/gi, '').trim().length < 1500;
}

export interface SpamReading {
  gtube: boolean;
  /** Advertising, scam and phishing phrases found. */
  phrases: number;
  /** Every sign, phrases included. */
  evidence: string[];
}

/** Spam when an advertising/scam phrase has company (any second sign), or on three signs of any kind. */
export function isContentSpam(reading: SpamReading): boolean {
  return reading.gtube || (reading.phrases >= 1 && reading.evidence.length >= 2) || reading.evidence.length >= 3;
}

/** What in the message reads like spam (see the module comment); nothing for a message about codes. */
export function readSpam(msg: ParsedMessage, body: BodyReading): SpamReading {
  const text = `${msg.subject}\n${msg.text.slice(0, 64 * 1024)}\n${(msg.html ?? '').slice(0, 64 * 1024)}`;
  if (text.includes(GTUBE)) return { gtube: true, phrases: 0, evidence: ['GTUBE test string'] };
  const about = `${msg.subject}\n${body.top}`;
  // A question about codes, or a text that uses coding words or names codes, is never spam here.
  if (body.asksCodingQuestion || CODING_WORDS.test(about) || mentionsCodes(about)) return { gtube: false, phrases: 0, evidence: [] };
  const phrases = SPAM_PHRASES.filter((re) => re.test(about)).length;
  const evidence = Array.from({ length: phrases }, () => 'spam phrase');
  for (const re of GENERIC_PHRASES) if (re.test(about)) evidence.push('bulk-mail phrase');
  if (shoutingSubject(msg.subject)) evidence.push('shouting subject');
  if (spoofedName(msg)) evidence.push('display name is another address');
  if (linkHeavy(body.top)) evidence.push('body mostly links');
  return { gtube: false, phrases, evidence };
}
