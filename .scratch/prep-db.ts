import { openDatabase } from '../src/db/orm.ts';
import { importCodeFile } from '../src/codes/index.ts';
const D = '../shared/data';
const orm = await openDatabase({ driver: 'sqlite', path: '/tmp/cd-codes.sqlite' });
for (const [system, file] of [['icd10cm', 'icd10cm/fy2025/icd10cm_order_2025.txt'], ['icd10cm', 'icd10cm/fy2026/icd10cm-codes-2026.txt'], ['hcpcs', 'hcpcs/2025-jan/HCPC2025_JAN_ANWEB_12172024.txt'], ['icd10pcs', 'icd10pcs/fy2026/icd10pcs-codes-2026.txt.gz']]) await importCodeFile(orm, { system, file: `${D}/${file}` });
await orm.close(true);
