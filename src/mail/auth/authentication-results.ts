/**
 * Reading an `Authentication-Results` header field (RFC 8601):
 *
 *   Authentication-Results: mx.example.net 1; dkim=pass (good sig) header.d=clinic.example
 *       header.s=sel1; spf=pass smtp.mailfrom=coder@clinic.example; dmarc=pass header.from=clinic.example
 *
 * The authserv-id (the server that checked), then one `method=result` per check with its
 * properties (`header.d`, `header.from`, `smtp.mailfrom`, `reason`). Comments (nested
 * parentheses) are dropped, quoted strings kept whole. A field without an authserv-id (Microsoft
 * 365 writes `spf=pass …` first) has authservId null: it cannot be attributed to a server.
 */
export interface AuthResult {
  /** Lower case: `dkim`, `spf`, `dmarc`, `arc`, `iprev`, `auth`, … */
  method: string;
  /** Lower case: `pass`, `fail`, `softfail`, `neutral`, `none`, `temperror`, `permerror`, `policy`. */
  result: string;
  /** `header.d` → `clinic.example`, `smtp.mailfrom` → `coder@clinic.example`, `reason` → … (keys lower case). */
  props: Record<string, string>;
}

export interface AuthenticationResults {
  authservId: string | null;
  results: AuthResult[];
}

/** Longest field value read; longer ones are cut (a real one is well under 4 KiB). */
const MAX_VALUE = 16 * 1024;

/** Parse one field value. Never throws; unreadable parts are skipped. */
export function parseAuthenticationResults(value: string): AuthenticationResults {
  const segments = splitOutsideQuotes(stripComments(value.slice(0, MAX_VALUE)), ';');
  const head = (segments[0] ?? '').trim();
  let authservId: string | null = null;
  let rest = segments.slice(1);
  if (head.includes('=') && !/^"/.test(head)) {
    // No authserv-id: the first segment is already a result.
    rest = segments;
  } else {
    const id = /^(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))/.exec(head);
    authservId = id ? (id[1] ?? id[2] ?? '').toLowerCase() || null : null;
  }
  const results: AuthResult[] = [];
  for (const segment of rest) {
    const parsed = parseResinfo(segment);
    if (parsed) results.push(parsed);
  }
  return { authservId, results };
}

function parseResinfo(segment: string): AuthResult | null {
  const tokens = [...segment.matchAll(/([^\s=]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]*)/g)];
  const first = tokens[0];
  if (!first) return null;
  const method = first[1]!.toLowerCase().replace(/\/\d+$/, '');
  if (!/^[a-z][a-z0-9_-]*$/.test(method)) return null;
  const props: Record<string, string> = {};
  for (const t of tokens.slice(1)) props[t[1]!.toLowerCase()] = unquote(t[2]!);
  return { method, result: unquote(first[2]!).toLowerCase(), props };
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

/** Remove RFC 5322 comments, nested, outside quoted strings. */
function stripComments(s: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length && (quoted || depth > 0)) {
      if (depth === 0) out += c + s[i + 1];
      i++;
      continue;
    }
    if (depth === 0 && c === '"') quoted = !quoted;
    if (!quoted && c === '(') {
      depth++;
      continue;
    }
    if (!quoted && c === ')' && depth > 0) {
      depth--;
      if (depth === 0) out += ' ';
      continue;
    }
    if (depth === 0) out += c;
  }
  return out;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && quoted && i + 1 < s.length) {
      current += c + s[i + 1];
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}
