const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The smallest alphanumeric string above every code that starts with `prefix`. Codes use only
 * 0-9 and A-Z, which sort the same under SQLite's binary collation and PostgreSQL's C or
 * locale collations, so `code > prefix and code < upper` is an index range on both drivers
 * (a LIKE prefix is not, under a locale collation).
 */
export function prefixUpperBound(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i -= 1) {
    const pos = ALNUM.indexOf(prefix[i]);
    if (pos >= 0 && pos < ALNUM.length - 1) return prefix.slice(0, i) + ALNUM[pos + 1];
  }
  return `${prefix}~`;
}
