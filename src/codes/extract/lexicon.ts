/**
 * Word lists and small structural facts the extractor's rules consult. Kept apart from the rules
 * so they can be read (and extended) at a glance. None of this is a code set: it only says what
 * a code looks like and which words around a number make it something else.
 */

/** Two-digit CPT/HCPCS modifiers. Other two-digit numbers (POS 02, 10, 11…) are never modifiers. */
export const NUMERIC_MODIFIERS = new Set([
  '22', '23', '24', '25', '26', '27', '32', '33', '47', '50', '51', '52', '53', '54', '55', '56', '57',
  '58', '59', '62', '63', '66', '73', '74', '76', '77', '78', '79', '80', '81', '82', '90', '91', '92',
  '93', '95', '96', '97', '99',
]);

/**
 * Letter modifiers distinctive enough to be reported on their own when written in capitals
 * ("XU vs XS on 36415", "do we need GA?"). Laterality (RT/LT) and look-alikes of ordinary
 * words are not here: they count only when attached to a code or named as a modifier.
 */
export const STANDALONE_LETTER_MODIFIERS = new Set([
  'XE', 'XP', 'XS', 'XU', 'GA', 'GX', 'GY', 'GZ', 'KX', 'JW', 'JZ', 'JG', 'TB', 'GP', 'GN', 'TC',
  'QW', 'CQ', 'FX', 'FY', 'GT', 'GQ', 'GC', 'GE', 'QK', 'QX', 'QY', 'QZ', 'KO', 'KP', 'NU', 'RR',
  'UE', 'FS', 'FT', 'AQ', 'GV', 'GW', 'SG', 'PD', 'PN', 'PO', 'ER', 'ET', 'SA', 'SL', 'Q5', 'Q6',
  'QP', 'KF', 'AI', 'PT', 'AS', 'AT', 'GU', 'GK', 'KH', 'KI', 'KJ', 'EY', 'FQ', 'FR', '1P', '2P', '3P', '8P', 'Q7', 'Q8', 'Q9',
]);

/** Standalone capital forms that clash with common abbreviations; these need modifier context. */
export const AMBIGUOUS_STANDALONE = new Set(['XP', 'PO', 'ER', 'ET', 'SA', 'SL', 'AI', 'PD', 'PN', 'SG', 'GU', 'EY', 'PT', 'AS', 'AT']);

/** Laterality and digit/location modifiers: count only attached, named, or after "with"/"append". */
export const LOCATION_MODIFIERS = new Set([
  'RT', 'LT', 'E1', 'E2', 'E3', 'E4', 'FA', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9',
  'TA', 'T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9', 'LC', 'LD', 'RC', 'LM', 'RI', 'LS',
  '50',
]);

/** Two-letter English words that are never read as modifiers outside an attached position. */
export const ENGLISH_TWO_LETTER = new Set([
  'TO', 'IN', 'ON', 'AT', 'IS', 'IT', 'BY', 'OF', 'AN', 'AS', 'OR', 'IF', 'SO', 'DO', 'BE', 'WE',
  'ME', 'MY', 'NO', 'UP', 'US', 'GO', 'HE', 'AM', 'OK', 'VS', 'HI', 'OH', 'ID', 'PT', 'DX', 'PA',
  'MD', 'DR', 'RN', 'NP', 'PM', 'EM',
]);

/**
 * HCPCS Level II code blocks (letter + first two digits) that hold codes. Letter + 4 digits
 * outside these blocks (M5450, R0789, K5900, H6690) can only be an undotted ICD-10-CM code;
 * inside them, context decides and HCPCS is the default (EXTRACTION.md: "letter + 4 digits is
 * HCPCS"). Structural knowledge of the Level II layout, not a code list.
 */
const HCPCS_BLOCKS: Record<string, string> = {
  A: '00 01 02 03 04 08 09 20 41 42 43 44 45 46 47 48 49 50 51 52 55 60 61 62 64 65 66 70 75 80 91 92 93 95 96 97 98 99',
  B: '40 41 42 50 51 52 90 99',
  C: '10 11 12 13 14 15 16 17 18 19 25 26 52 75 79 80 89 90 91 92 93 94 95 96 97 98 99',
  D: '00 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99',
  E: '01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 30 32 80',
  G: '00 01 02 03 04 05 06 09 10 20 21 22 30 40 60 81 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99',
  H: '00 10 20',
  J: '00 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 70 71 72 73 74 75 76 77 79 84 85 86 87 89 90 91 92 93 94 96 99',
  K: '00 01 04 05 06 07 08 09 10',
  L: '01 02 04 06 07 08 09 10 11 12 13 14 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 46 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 79 80 83 84 85 86 87 99',
  M: '00 01 02 03 10 11 12 13 14',
  P: '20 30 70 90 91 96',
  Q: '00 01 02 03 04 05 10 20 30 40 41 42 43 50 51 90 99',
  R: '00',
  S: '00 01 02 03 04 05 06 08 10 20 21 22 23 24 29 30 36 37 38 39 40 49 50 51 54 55 80 81 82 83 84 89 90 91 92 93 94 95 98 99',
  T: '10 15 19 20 21 45 50 59',
  U: '00',
  V: '20 21 22 23 24 25 26 27 50 51 52 53',
};
const HCPCS_BLOCK_SET = new Set(
  Object.entries(HCPCS_BLOCKS).flatMap(([letter, blocks]) => blocks.split(' ').map((b) => letter + b)),
);

/**
 * HCPCS Level II blocks that are not ICD-10-CM categories (there is no `L39` or `J07` in
 * ICD-10-CM): letter + 4 digits in them can only be HCPCS (`L3908`, not `L39.08`), whatever the
 * context says. Structural knowledge of both code sets' layout (FY2026), not a code list.
 */
const HCPCS_ONLY_BLOCKS: Record<string, string> = {
  A: '45 47 61 62 97',
  C: '89 97 98 99',
  D: '08 54 79 85 87 88 90 91 92 93 94 95 96 97 98 99',
  E: '12 14 17 18 19',
  G: '22 84 85 86 87 88',
  J: '07 08 19 23 24 25 26 27 28 29 71 72 73 74 75 76 77 79 87 89',
  K: '07 10',
  L: '06 07 09 16 17 18 19 31 32 33 34 35 36 37 38 39 46 61 69 77 79',
  M: '03',
  P: '20 30',
  T: '10',
  U: '00',
};
const HCPCS_ONLY_BLOCK_SET = new Set(
  Object.entries(HCPCS_ONLY_BLOCKS).flatMap(([letter, blocks]) => blocks.split(' ').map((b) => letter + b)),
);

/** Whether letter + 2 digits (e.g. `L39`) is an HCPCS block and no ICD-10-CM category. */
export function isHcpcsOnlyBlock(prefix3: string): boolean {
  return HCPCS_ONLY_BLOCK_SET.has(prefix3);
}

/** Whether `L` + `DD` (e.g. `J18`) is a block of HCPCS Level II codes. */
export function isHcpcsBlock(prefix3: string): boolean {
  return HCPCS_BLOCK_SET.has(prefix3);
}

/** ICD-10-CM categories whose third character is a letter; any other `A1C`-like token is not a code. */
export const ICD_LETTER_CATEGORIES = new Set(['C4A', 'C7A', 'C7B', 'D3A', 'M1A', 'Z3A']);

/** Tokens of ICD-10-CM shape that are something else in coders' mail. */
export const NOT_ICD_TOKENS = new Set([
  'B12', 'N95', 'T10', 'T11', 'T12',
  // processors, software, aircraft and vehicles
  'I386', 'I486', 'I586', 'I686', 'X86', 'X64', 'X11', 'A320', 'A330', 'A350', 'A380', 'B737', 'B747', 'B757', 'B767', 'B777', 'B787',
  'F150', 'F250', 'F350', 'E46', 'E90', 'R32', 'M3', 'M5',
]);

/** US state abbreviations and names, for ZIP codes in addresses. */
export const STATE_ABBREVIATIONS = new Set(
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI'.split(' '),
);
export const STATE_NAMES =
  'alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|new hampshire|new jersey|new mexico|new york|north carolina|north dakota|ohio|oklahoma|oregon|pennsylvania|rhode island|south carolina|south dakota|tennessee|texas|utah|vermont|virginia|washington|west virginia|wisconsin|wyoming';

/** Body parts after which RT/LT is a laterality word, not a modifier ("the LT knee"). */
export const ANATOMY =
  'knee|knees|hip|hips|shoulder|shoulders|ankle|ankles|foot|feet|hand|hands|wrist|wrists|elbow|elbows|arm|arms|leg|legs|eye|eyes|ear|ears|side|sided|breast|breasts|thumb|finger|fingers|toe|toes|great toe|heel|lower|upper|extremity|leg|thigh|calf|forearm|kidney|lung|ovary|testicle|femur|tibia|fibula|radius|ulna|humerus|clavicle|rib|ribs|hallux|index|middle|ring|little|digit|buttock|groin|flank|temporal|frontal|parietal|occipital|carpal|tarsal|metatarsal|lumbar|cervical|sacroiliac|si|tka|tha|tkr|thr|acl|mcl|rotator|cataract';
