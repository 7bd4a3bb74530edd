import { createTestDatabase } from '../test/support/db.ts';
import { importCodeFile, lookupCode } from '../src/codes/index.ts';
import { buildEvidence } from '../src/drafts/evidence.ts';
import { codeFactsFor } from '../src/drafts/compose.ts';
import { createReplyRenderer } from '../src/drafts/render.ts';
const t = await createTestDatabase('sqlite');
const D = '../shared/data';
await importCodeFile(t.orm, { system: 'icd10cm', file: `${D}/icd10cm/fy2025/icd10cm_order_2025.txt` });
await importCodeFile(t.orm, { system: 'icd10cm', file: `${D}/icd10cm/fy2026/icd10cm-codes-2026.txt` });
for (const date of ['2025-01-01', '2026-01-01']) {
  const r = await lookupCode(t.orm.em.fork(), 'M54.5', { date });
  console.log(date, JSON.stringify(r.children), r.childCount);
  const ev = await buildEvidence(codeFactsFor(t.orm.em.fork()), { codes: { cpt: [], hcpcs: [], icd10cm: ['M54.5'], icd10pcs: [], modifiers: [] }, dateOfService: { date, source: 'email', written: null } });
  console.log(JSON.stringify(ev.codes[0], null, 1));
  const out = createReplyRenderer().render('answer', { greetingName: null, originalSubject: 's', signatureName: 'x', caseNumber: 'CD-1', question: 'q', evidence: ev, receivedDate: date });
  console.log(out.text);
}
await t.drop();
