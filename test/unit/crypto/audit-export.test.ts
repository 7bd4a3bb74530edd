import { describe, expect, it } from 'vitest';
import { auditCsvHeader, auditCsvLine } from '../../../src/audit/audit-export.ts';
import { codeSearchDetails } from '../../../src/review/code-search-audit.ts';

describe('audit export and code-search entries', () => {
  it('writes one CSV line per entry, quoting commas, quotes and JSON details', () => {
    expect(auditCsvHeader).toBe('seq,id,at,actor,action,caseId,draftId,details,hash\n');
    const line = auditCsvLine({ seq: 3, id: 7, at: '2026-12-02T10:00:00.000Z', actor: 'a@b.test', action: 'draft.view', caseId: 12, draftId: null, details: { via: 'api', note: 'x,"y"' }, hash: 'ab' });
    expect(line).toBe('3,7,2026-12-02T10:00:00.000Z,a@b.test,draft.view,12,,"{""via"":""api"",""note"":""x,\\""y\\""""}",ab\n');
  });

  it('keeps the code of a one-code search, only counts of a word search', () => {
    expect(codeSearchDetails(' m54.50 ', 3)).toEqual({ code: 'M5450', hits: 3 });
    expect(codeSearchDetails('knee pain after Smith fall', 4)).toEqual({ words: 5, hits: 4 });
    expect(JSON.stringify(codeSearchDetails('Smith 99213'))).not.toContain('Smith');
  });
});
