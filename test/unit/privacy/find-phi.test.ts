import { describe, expect, it } from 'vitest';
import { findPhi, type PhiKind } from '../../../src/privacy/index.ts';

type Row = [string, Array<[PhiKind, string]>];
const spans = (text: string, sender?: string): Array<[PhiKind, string]> => findPhi(text, { senderAddress: sender }).map((s) => [s.kind, s.text]);

describe('findPhi: what it marks', () => {
  const rows: Row[] = [
    // SSN
    ['SSN 412-55-8093 on file', [['ssn', '412-55-8093']]],
    ['front desk wrote 412-55-8093 on it', [['ssn', '412-55-8093']]],
    ['SS# 412558093', [['ssn', '412558093']]],
    ['social security number 412 55 8093', [['ssn', '412 55 8093']]],
    ['SSN: XXX-XX-4471', [['ssn', 'XXX-XX-4471']]],
    ['last 4 of SSN: 6789', [['ssn', '6789']]],
    // MBI (CMS format) and HICN
    ['MBI 1EG4-TE5-MK73', [['mbi', '1EG4-TE5-MK73']]],
    ['beneficiary 1EG4TE5MK73 denied', [['mbi', '1EG4TE5MK73']]],
    ['mbi 1eg4 te5 mk73', [['mbi', '1eg4 te5 mk73']]],
    ['Medicare # 123456789A', [['mbi', '123456789A']]],
    // member, subscriber, policy IDs
    ['Member ID: XYP882143097', [['member-id', 'XYP882143097']]],
    ['subscriber # 00312A447', [['member-id', '00312A447']]],
    ['policy H5521-00473 lapsed', [['member-id', 'H5521-00473']]],
    ['Medicaid ID 98231455701 for', [['member-id', '98231455701']]],
    ['Cigna ID: U1234567801', [['member-id', 'U1234567801']]],
    ['ID# ABC123456789', [['member-id', 'ABC123456789']]],
    // MRN and account numbers
    ['MRN 00482913', [['mrn', '00482913']]],
    ['Med Rec No. E22334455', [['mrn', 'E22334455']]],
    ['acct # 55-201934', [['mrn', '55-201934']]],
    ['Chart # 100293847.', [['mrn', '100293847']]],
    ['FIN# 40012345', [['mrn', '40012345']]],
    ['MRN 123456 01/15/2025', [['mrn', '123456']]],
    // dates of birth
    ['DOB 03/14/1952', [['dob', '03/14/1952']]],
    ['D.O.B. 03041957', [['dob', '03041957']]],
    ['birthdate: 3.4.57', [['dob', '3.4.57']]],
    ['dob 1957-03-04', [['dob', '1957-03-04']]],
    ['born on March 4th, 1957', [['dob', 'March 4th, 1957']]],
    ['Age/DOB: 67 / 3/4/1957', [['dob', '3/4/1957']]],
    ['67 y/o F 3/4/1957', [['dob', '3/4/1957']]],
    ['(11/11/1933, 91 yo)', [['dob', '11/11/1933']]],
    // names
    ['Pt John Whitaker was seen', [['name', 'John Whitaker']]],
    ['patient Smith had 3 units', [['name', 'Smith']]],
    ['Mrs. Priya Raman called', [['name', 'Priya Raman']]],
    ["Mr. Kevin O'Donnell's knee", [['name', "Kevin O'Donnell"]]],
    ['Patient Name: DOE, JANE A.', [['name', 'DOE, JANE A.']]],
    ['pt name: jane doe dob unknown', [['name', 'jane doe']]],
    ['Name: Walter Brennan  MRN: A0098123', [['name', 'Walter Brennan'], ['mrn', 'A0098123']]],
    ['Patient Maria de la Cruz came', [['name', 'Maria de la Cruz']]],
    ["The pt's name is Amy Chu, she is 9", [['name', 'Amy Chu']]],
    ['Jane Doe, DOB 01/02/1960', [['name', 'Jane Doe'], ['dob', '01/02/1960']]],
    ['Chart # 100293847 (Nathan Brooks)', [['mrn', '100293847'], ['name', 'Nathan Brooks']]],
    ['for pt Tyrone Jackson. Kenalog given', [['name', 'Tyrone Jackson']]],
    ['when mr bixby comes back', [['name', 'bixby']]],
    // phones
    ['call (404) 555-0123 ext 204', [['phone', '(404) 555-0123 ext 204']]],
    ['fax 404.555.0199', [['phone', '404.555.0199']]],
    ['cell +1 (470) 555-0172', [['phone', '+1 (470) 555-0172']]],
    ['1-800-555-0199 x204', [['phone', '1-800-555-0199 x204']]],
    ['ph 2145550175', [['phone', '2145550175']]],
    ['His # is 555-0137', [['phone', '555-0137']]],
    // addresses
    ['moved to 1842 Willow Creek Dr, Apt 3B, Marietta, GA 30062.', [['address', '1842 Willow Creek Dr, Apt 3B, Marietta, GA 30062']]],
    ['at 4500 N. Peachtree Industrial Blvd, Suite 200, Chamblee, GA 30341', [['address', '4500 N. Peachtree Industrial Blvd, Suite 200, Chamblee, GA 30341']]],
    ['Address: PO Box 221, Athens GA', [['address', 'PO Box 221, Athens GA']]],
    // email
    ['from t.nguyen88@mailbox.example today', [['email', 't.nguyen88@mailbox.example']]],
  ];
  it.each(rows)('%s', (text, want) => expect(spans(text)).toEqual(want));

  it('leaves the sender’s own address alone, case-insensitively', () => {
    expect(spans('write to Dana@Clinic.example or jo@x.example', 'dana@clinic.example')).toEqual([['email', 'jo@x.example']]);
  });

  it('gives offsets into the text it read', () => {
    const text = 'Hi,\nPt John Smith DOB 3/4/1957';
    for (const s of findPhi(text)) expect(text.slice(s.start, s.end)).toBe(s.text);
  });
});

describe('findPhi: what it leaves alone', () => {
  const clean = [
    'billed 99214-25 and 20610 on DOS 01/15/2025',
    'DOS 01/02/2025-01/05/2025: 99223, 99232, 99238',
    'Pt seen on 2/3/25 for J0897 x 60 with 96372. 72 y/o F.',
    '67 yo seen 1/15/2025 for 99213',
    'Rendering NPI 1245319599, supervising NPI 1487652301, NPI 1114025706',
    'the NP (1245319599) billed incident-to', // an NPI by its check digit
    'Claim # 123-456-7890 was denied CO-97. Ref# 20551. Payer ID 60054.',
    'Tax ID 58-1234567, PTAN 123456, Group # 0012345, payer ID 87726, plan ID 0044',
    'ICN 22025014003120, Auth # 8821-3320, NDC 55513-0710-01, ticket #20551',
    'ZIP 30301, Suite 200, $1,234.56, rev code 0450, time 10:30-11:45',
    'Dr. Anita Patel saw a consult for Dr. Huang',
    'Patient Portal message; Patient Financial Services; patient responsibility; Pt education provided',
    'RFA at L4-L5: 64635-50, LCD L39242, modifier GA on the ABN',
    'Medicare pt, PT eval 97161 with 97530-KX',
    'Dana Ruiz, CPC\nRuiz Billing',
    'Mr. and Mrs. parents asked for an estimate',
  ];
  it.each(clean)('%s', (text) => expect(spans(text)).toEqual([]));

  it('keeps a code that an identifier label precedes only when the label is not a code context', () => {
    // "MRN 99213": the label says what it is; the extractor does not read it as a code either.
    expect(spans('MRN 99213, then 99213 billed')).toEqual([['mrn', '99213']]);
  });

  it('never marks a date of service, even next to an age', () => {
    expect(spans('72 y/o F, DOS 03/03/2025')).toEqual([]);
  });
});

describe('findPhi: hostile input', () => {
  it('answers on long runs of digits, separators and capitals without throwing', () => {
    const inputs = [
      '1-'.repeat(100_000),
      '(404) '.repeat(50_000),
      'Patient '.repeat(40_000),
      'MRN # '.repeat(40_000),
      `${'A '.repeat(100_000)}DOB`,
      '\u0000\uffff'.repeat(10_000),
    ];
    for (const input of inputs) expect(Array.isArray(findPhi(input))).toBe(true);
  });

  it('stays linear on one long word: 512 KB of one letter, of "A-", of "A\'" (a name or "… ID" regex rescanning the run from each position took minutes)', () => {
    // The hostile-pipeline test's zip-bomb-like message is 4 MB of "AAAA…"; filed as a new case
    // it blocked the event loop for about five minutes.
    for (const unit of ['A', 'a', 'A-', "A'", 'Ab']) {
      const started = Date.now();
      findPhi(unit.repeat(Math.floor((512 * 1024) / unit.length)));
      expect(Date.now() - started, unit).toBeLessThan(10_000);
    }
  });
});
