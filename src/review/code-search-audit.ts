import { compactCode } from '../codes/normalize.ts';

/**
 * What the audit log keeps of a code search: the code when the query is one code (codes are not
 * patient data), otherwise only the number of words and hits (free words could be anything).
 */
export function codeSearchDetails(query: string, hits?: number): Record<string, unknown> {
  const q = query.trim();
  if (/^[A-Za-z0-9.\-]{2,10}$/.test(q) && /\d/.test(q)) return { code: compactCode(q), hits };
  return { words: q.split(/\s+/).filter(Boolean).length, hits };
}
