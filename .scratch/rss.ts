import { createTestDatabase } from '../test/support/db.ts';
import { importCodeFile } from '../src/codes/index.ts';
import { measureServiceRss } from '../bench/service-rss.ts';
const D = '../shared/data';
const t = await createTestDatabase('sqlite');
const mode = process.argv[2] ?? 'empty';
if (mode !== 'empty') {
  await importCodeFile(t.orm, { system: 'icd10cm', file: `${D}/icd10cm/fy2025/icd10cm_order_2025.txt` });
  await importCodeFile(t.orm, { system: 'icd10cm', file: `${D}/icd10cm/fy2026/icd10cm-codes-2026.txt` });
  await importCodeFile(t.orm, { system: 'hcpcs', file: `${D}/hcpcs/2025-jan/HCPC2025_JAN_ANWEB_12172024.txt` });
  await importCodeFile(t.orm, { system: 'icd10pcs', file: `${D}/icd10pcs/fy2026/icd10pcs-codes-2026.txt.gz` });
}
const pages = process.argv[4] ? process.argv[4].split(',') : undefined;
const r = await measureServiceRss(t.orm, t.db, Number(process.argv[3] ?? 20), pages);
console.log(mode, JSON.stringify(r));
await t.drop();
process.exit(0);
