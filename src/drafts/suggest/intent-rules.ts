import type { Intent } from './types.ts';

/**
 * The table the intent core reads. Each rule is a pattern over the question's normalised text
 * (lower case, typos fixed, codes replaced by placeholders: `qqp` a procedure code (CPT or
 * HCPCS), `qqd` an ICD-10-CM code, `qqx` an ICD-10-PCS code, `qqm` a modifier) and, for weak
 * wording, a condition on the question's context.
 *
 * Strong wording counts alone ("bundled", "separately reportable", "MUE", "7th character").
 * Weak wording ("same day", "with", "what is") counts only with the codes it needs around it:
 * "same day" is a pair question only when two procedures (or a procedure and a visit) are named.
 */
export interface RuleContext {
  text: string;
  /** Distinct procedure codes (CPT and HCPCS) named. */
  procedures: number;
  diagnoses: number;
  modifiers: number;
  unitsWritten: boolean;
}

export interface IntentRule {
  intent: Intent;
  pattern: RegExp;
  when?: (ctx: RuleContext) => boolean;
  /** A fallback rule applies only when none of these intents was found by the other rules. */
  fallback?: Intent[];
  /** Why the rule exists (for the table-driven tests and for readers). */
  note: string;
}

const CODE = '(?:qqp|qqd|qqx)';
const ANY_CODE = `(?:the\\s+)?(?:(?:cpt|hcpcs|icd[- ]?10(?:[- ]?(?:cm|pcs))?|dx|diagnosis|procedure|j|l|g)\\s*)?(?:code\\s+)?${CODE}`;
/** An E/M visit named in words: the other half of a pair question with one code. */
const VISIT = /\b(?:e\/m|e&m|e\s?and\s?m|em visit|e\/m visit|office visit|ov|evaluation and management|visit|consult(?:ation)?|new patient|established patient)\b/;

const twoProcedures = (c: RuleContext) => c.procedures >= 2;
/** Coverage, payment-rate and authorisation talk: questions the code data cannot answer. */
const COVERAGE = /\b(?:cover|covered|coverage|covers|medical necessity|lcd|ncd|prior auth\w*|authori[sz]ation|allowable|fee schedule|rates?|reimbursement|credential\w*)\b/;
const pairContext = (c: RuleContext) => c.procedures >= 2 || (c.procedures >= 1 && VISIT.test(c.text));
const anyCode = (c: RuleContext) => c.procedures + c.diagnoses > 0;
const diagnosisNamed = (c: RuleContext) => c.diagnoses > 0;

export const INTENT_RULES: readonly IntentRule[] = [
  // --- ncci-pair -----------------------------------------------------------------------------
  { intent: 'ncci-pair', pattern: /\b(?:un)?bundl\w*/, note: 'bundle, bundled, unbundle, bundling' },
  { intent: 'ncci-pair', pattern: /\b(?:ncci|cci|ptp|nccis)\b/, note: 'NCCI / CCI / PTP named' },
  { intent: 'ncci-pair', pattern: /\bcolumn\s*(?:1|2|one|two|i|ii)\b|\bcol\s?[12]\b/, note: 'column 1 / column 2' },
  { intent: 'ncci-pair', pattern: /\bmutually exclusive\b|\bco[- ]?97\b|\b(?:included|inclusive|incidental) (?:in|to|with)\b|\bpart of (?:the )?(?:qqp|other|primary)/, note: 'exclusive, CO-97, included in' },
  {
    intent: 'ncci-pair',
    pattern: /\bseparately\s+(?:report\w*|bill\w*|pay\w*|cod\w*|paid|charg\w*|submit\w*)|\b(?:report|bill|code|charge|pay|paid|claim|submit)\w*\b[^.?!\n]{0,50}\bseparately\b|\bseparate(?:ly)? (?:line|service)s?\b/,
    note: 'separately reportable / billed separately',
  },
  { intent: 'ncci-pair', pattern: /\btogether\b/, when: anyCode, note: 'billed together' },
  {
    intent: 'ncci-pair',
    pattern: /\bsame\s+(?:day|date|dos|date of service|visit|encounter|session|claim|time|setting|appointment)\b|\bsame[- ]day\b/,
    when: pairContext,
    note: 'same day / same DOS with two procedures (or a procedure and a visit)',
  },
  {
    intent: 'ncci-pair',
    pattern: /\b(?:can|may|could|should|is it ok(?:ay)? to|ok to|okay to|allowed to|able to)\b[^.?!\n]{0,80}\b(?:bill|report|code|charge|submit|claim|use|do|get paid)\w*\b[^.?!\n]{0,80}(?:\bwith\b|\btogether\b|\balongside\b|\bplus\b|\bin addition to\b|\bon top of\b|\band\b|&|\+|\bw\/)/,
    when: pairContext,
    note: 'can I bill A with B',
  },
  { intent: 'ncci-pair', pattern: /qqp[^.?!\n]{0,25}?(?:\bwith\b|\+|&|\bplus\b|\bw\/|\balong with\b|\bvs\.?\b|\bversus\b)\s*(?:an?\s+|the\s+)?qqp/, when: twoProcedures, note: 'A with B, A + B' },
  { intent: 'ncci-pair', pattern: /\b(?:pair|pairs|paired|combo|combination|conflicts?|clash|compatible|incompatible)\b/, when: twoProcedures, note: 'code pair, conflict, compatible' },
  { intent: 'ncci-pair', pattern: /\bqqp (?:include|includes|cover|covers|bundle|bundles|absorb|absorbs)\b[^.?!\n]{0,20}qqp/, when: twoProcedures, note: 'does A include B' },
  {
    intent: 'ncci-pair',
    pattern: /\b(?:paid|payable|pay|denied|deny|reimbursed)\b[^.?!\n]{0,40}\b(?:when|if|with)\b[^.?!\n]{0,40}\b(?:also|both|too)\b/,
    when: twoProcedures,
    note: 'is A paid when B is also billed',
  },
  { intent: 'ncci-pair', pattern: /\bboth\b[^.?!\n]{0,40}\b(?:bill\w*|report\w*|cod(?:e|ed)|paid|pay|payable|go on the claim)\b|\b(?:bill|report|code)\w* both\b/, when: pairContext, note: 'can both be billed' },
  { intent: 'ncci-pair', pattern: /\b(?:deny|denied|denial|denying|rejected)\b[^.?!\n]{0,60}\b(?:with|because of|against)\s+(?:the\s+)?qqp/, when: twoProcedures, note: 'denied with another code' },

  // --- units ---------------------------------------------------------------------------------
  { intent: 'units', pattern: /\bunits?\b(?! (?:description|descriptor|of measure|dose|price|cost|conversion)\b)|\bmues?\b|\bmedically unlikely\b|\bmai\b|\bdos edit\b/, note: 'units, MUE' },
  { intent: 'units', pattern: /\bhow (?:many|much)\b(?! (?:codes?|modifiers?|digits?|characters?|does|do|is|will|time)\b)|\bqty\b|\bquantity\b/, when: anyCode, note: 'how many (times, units…), quantity' },
  { intent: 'units', pattern: /\bmax(?:imum)?\b|\blimits?\b|\bcap(?:ped)?\b|\bexceed\w*|\btoo many\b|\bover the (?:max|limit)\b/, when: anyCode, note: 'maximum, limit, exceeded' },
  { intent: 'units', pattern: /\bper\s+(?:day|dos|date|claim|line|visit|session|encounter|date of service)\b/, note: 'per day' },
  {
    intent: 'units',
    pattern: /\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty)\s+(?:vials?|injections?|times|lines|strips|boxes)\b|\bx\s?\d+\b/,
    when: anyCode,
    note: 'x8, eight vials, billed 3 times',
  },

  // --- validity ------------------------------------------------------------------------------
  { intent: 'validity', pattern: /\b(?:in)?valid\b|\bvalidity\b/, note: 'valid, invalid' },
  {
    intent: 'validity',
    pattern: /\bstill\s+(?:good|valid|active|ok(?:ay)?|usable|around|in use|in effect|accepted|allowed|exists?|current|effective|a (?:valid|good|real|active) code|use|be used|report|bill|code)\b/,
    note: 'still good for / still valid',
  },
  {
    intent: 'validity',
    pattern: /\b(?:deleted|terminated|retired|discontinued|expired|inactivated|obsolete|end[- ]?dated|sunset(?:ted)?|went away|gone away|no longer (?:exists?|valid|active|available|used))\b/,
    note: 'deleted, terminated',
  },
  { intent: 'validity', pattern: /\b(?:an?|the) (?:valid|active|current|good|real|deleted|retired|terminated|discontinued|new) code\b/, when: anyCode, note: 'is X an active code' },
  { intent: 'validity', pattern: /\breplaced\b|\breplacement (?:code|for)\b|\bwhat replaced\b/, when: anyCode, note: 'replaced by' },
  {
    intent: 'validity',
    pattern: /\bnew (?:code|codes)\b|\bnew (?:for|in|as of) (?:20\d\d|fy|october|oct|january|jan)|\b(?:is|are) (?:qqp|qqd|qqx|it|this|that|they) (?:still )?(?:active|current|effective|in effect|a real code|real|good|accepted)\b/,
    when: anyCode,
    note: 'new code, is X active',
  },
  {
    intent: 'validity',
    pattern: /\b(?:effective|start|end|termination|add|added) date\b|\bwhen did\b[^.?!\n]{0,40}\b(?:start|end|change|take effect|become)\b|\btake effect\b|\bexists?\b|\bcan (?:i|we) (?:still |now )?use (?:qqd|qqp|qqx|it|this|that)\b|\bcan (?:i|we) (?:still|now) (?:bill|report|code)\b/,
    when: anyCode,
    note: 'effective date, can I still use',
  },

  // --- billable ------------------------------------------------------------------------------
  { intent: 'billable', pattern: /(?<!separately |separate )\b(?:non-?|not |un)?billable\b(?! (?:together|with|alongside|along with|on the same|the same day|same day|in addition)\b)|\bpayable as (?:is|written)\b/, note: 'billable, non-billable' },
  {
    intent: 'billable',
    pattern: /\b(?:specific|complete|detailed|good) enough\b|\benough to bill\b|\bmore specific\b|\bspecificity\b|\b(?:more|extra|another|additional|missing) (?:digits?|characters?)\b|\btruncat\w*|\bincomplete\b|\bcomplete code\b|\btoo short\b|\bfull code\b/,
    note: 'specific enough, truncated',
  },
  {
    intent: 'billable',
    pattern: /\b(?:can|may|could) qqd be (?:billed|coded|submitted|reported|billable)\b|\b(?:need|needs|require|requires|missing) (?:an? )?(?:extension|encounter character)\b/,
    note: 'can <diagnosis> be billed, needs an extension',
  },
  { intent: 'billable', pattern: /\bheader\b|\bcategory code\b|\bparent code\b|\bnon-?specific\b/, note: 'header code' },
  {
    intent: 'billable',
    pattern: /\b(?:7th|seventh|7|7 th)\s*(?:character|char|digit|letter|position|extension)s?\b|\bplaceholder\b|\bencounter (?:character|letter|digit)\b|\b(?:a|d|s) extension\b/,
    note: '7th character',
  },
  {
    intent: 'billable',
    pattern: /\b(?:can|may|could|should) (?:i|we|you|they)\s+(?:still\s+)?(?:bill|code|submit|report|put)\s+(?:with\s+)?(?:the\s+)?(?:dx\s+|diagnosis\s+|code\s+)?qqd\b|\bbill(?:ed)?\s+(?:qqd|it|this)\s+as\s+is\b|\bqqd (?:as is|alone|by itself)\b/,
    when: diagnosisNamed,
    note: 'can I bill <diagnosis code>',
  },
  {
    intent: 'ncci-pair',
    pattern: /\?|\b(?:can|may|should|will|would|is it|are they|ok|okay|allowed|correct|right)\b/,
    when: (c) => twoProcedures(c) && !COVERAGE.test(c.text),
    fallback: ['ncci-pair', 'units', 'validity', 'billable', 'descriptor', 'modifier', 'code-for-words'],
    note: 'a question naming two procedure codes and nothing else: is the pair billable',
  },
  {
    intent: 'billable',
    pattern: /\b(?:bill|billed|billing|submit|use|code)\b[^.?!\n]{0,40}\?|\bok(?:ay)? to (?:bill|use|submit)\b/,
    when: (c) => c.diagnoses > 0 && c.procedures === 0,
    fallback: ['validity', 'billable', 'descriptor', 'code-for-words'],
    note: 'a question about billing a diagnosis code, and nothing more precise',
  },
  {
    intent: 'billable',
    pattern: /\b(?:reject\w*|denied|denial|kicked back|bounced|not accepted|invalid dx)\b/,
    when: (c) => c.diagnoses > 0 && c.procedures === 0,
    fallback: ['validity', 'billable'],
    note: 'a diagnosis code rejected on a claim (when nothing else says what is wrong)',
  },

  // --- descriptor ----------------------------------------------------------------------------
  {
    intent: 'descriptor',
    pattern: new RegExp(`\\bwhat(?:\\s+is|'s|\\s+was|s|\\s+exactly\\s+is)\\s+${ANY_CODE}\\b(?!\\s*(?:'s\\s+)?(?:units?|mue|limit|max|modifier|edit|bundl|x\\s?\\d))`),
    note: 'what is X',
  },
  {
    intent: 'descriptor',
    pattern: new RegExp(`\\bwhat\\s+(?:does|do|did)\\s+${ANY_CODE}\\s+(?:mean|stand|cover|describe|represent|include|refer|pay|say|involve|entail|capture)\\w*|\\bwhat\\s+${ANY_CODE}\\s+(?:means|stands for|is for|covers|describes)\\b|\\bwhat\\s+${ANY_CODE}\\s+(?:is|was)\\b(?!\\s+(?:valid|billable|bundl\\w*|allowed|covered|billed|paid|used|the mue))`),
    note: 'what does X mean',
  },
  {
    intent: 'descriptor',
    pattern: /\bwhat (?:does|do|did) (?:it|this|that|they|this code|that code|each (?:one|code)) (?:mean|stand for|cover|describe|include|represent|refer to)\b/,
    when: anyCode,
    note: 'what does it cover (the code named before)',
  },
  {
    intent: 'descriptor',
    pattern: /\bwhat (?:is|was) (?:it|this|that)(?: (?:code|dx|diagnosis|one|item|drug|supply|modifier))?(?: for)?\s*\?|\bexplain (?:what )?(?:the )?(?:code )?qq[pdx]\b/,
    when: anyCode,
    note: 'G2211 - what is it? explain X',
  },
  {
    intent: 'descriptor',
    pattern: /\bdescri(?:ption|ptor|be|bes)s?\b|\bdefinition\b|\bdefine\b|\bmeaning of\b|\bstands? for\b|\bwhat it means\b|\bwhat (?:that|this|the code) means\b|\bofficial (?:title|text|wording)\b|\bcode title\b|\blong (?:desc|title)\b/,
    when: anyCode,
    note: 'description, descriptor, meaning of',
  },
  {
    intent: 'descriptor',
    pattern: new RegExp(`\\b(?:look\\s?up|lookup|tell me about|info(?:rmation)? (?:on|about|for)|details (?:on|for|about)|what kind of (?:service|code|procedure|condition|supply|drug|item) is|what (?:is|are) ${CODE} (?:for|used for))\\b|\\b${CODE} (?:is|means) what\\b|\\bwhat (?:service|procedure|condition|supply|drug|item) is ${CODE}|\\bwhat (?:code )?${CODE} is (?:for|used for)\\b`),
    when: anyCode,
    note: 'look up X, what kind of service is X',
  },

  // --- modifier ------------------------------------------------------------------------------
  { intent: 'modifier', pattern: /\bmodifiers?\b|\bmod\b|\bappend(?:ed|ing)?\b|\battach(?:ed|ing)? (?:a |the )?(?:mod|modifier|qqm)\b/, note: 'modifier, append' },

  // --- code-for-words ------------------------------------------------------------------------
  {
    intent: 'code-for-words',
    pattern: /\b(?:what|which)(?:'s|s|\s+is|\s+are|\s+would be|\s+should be)?\s+(?:the\s+)?(?:right|correct|proper|best|appropriate|applicable)?\s*(?:icd[- ]?10(?:[- ]?(?:cm|pcs))?|dx|diagnosis|cpt|hcpcs|procedure|pcs|[jlegazq]|supply|drug|billing|dme)?[- ]?codes?\b(?!\s+qq)/,
    note: 'what code / which ICD-10 code',
  },
  {
    intent: 'code-for-words',
    pattern: /\bcodes?\s+(?:(?:to use|(?:is|are|would be|should be)(?: \w+){0,2}|(?:can|could|should|would) be used)\s+)?(?:for|that (?:describes?|covers?|fits?|matches))\s+(?!qq|(?:the\s+)?(?:dos|date|claim)\b)|\bhow (?:do|would|should|can|to) (?:i |we |you )?(?:code|bill|report)\b(?!\s+(?:qq|it|this|them|that)\b)|\bwhat (?:(?:hcpcs|cpt|icd[- ]?10|dx|code|codes|[jlegakq][- ]code)\s+)?(?:do|should|would|can) (?:i|we|you) (?:use|bill|code|report) for\b|\blooking for (?:a|the) (?:\w+ )?code\b|\bis there (?:a|an|any) (?:\w+ ){0,2}code for\b|\bneed (?:a|an|the) (?:icd[- ]?10 |hcpcs |cpt |dx |diagnosis |j )?(?:code|dx) for\b/,
    note: 'code for <words>, how do I code <words>',
  },
  {
    intent: 'code-for-words',
    pattern: /(?:^|\n|[.?!]\s)[a-z][a-z ,'/-]{4,80}\s[-–:]\s*(?:which|what)(?:'s| is)?\s+(?:the\s+)?(?:icd[- ]?10(?:[- ]?cm)?|dx|hcpcs|cpt|code)(?:\s+code)?\s*\?/,
    note: '<description> - which ICD-10?',
  },
  {
    intent: 'code-for-words',
    pattern: /\b(?:what|which)(?:'s|s|\s+is|\s+are)?\s+(?:the\s+)?(?:right\s+|correct\s+|proper\s+|best\s+)?(?:hcpcs|cpt|icd[- ]?10(?:[- ]?(?:cm|pcs))?|dx|diagnosis|[jlegakq][- ]code)\s+(?:(?:code|number)\s+)?(?:is\s+)?for\s+(?!qq|\d)/,
    note: 'what is the HCPCS for <words>',
  },
];
