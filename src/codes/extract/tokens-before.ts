/**
 * The tokens before a candidate code, read lazily backwards (see {@link TokensBefore}); the
 * context rules of context.ts ask for them one at a time.
 */

/** At most this many tokens before a candidate are read. */
const MAX_TOKENS = 5;


/**
 * A lazy backwards tokenizer over the text before one candidate: most candidates are settled
 * by their nearest one or two tokens, so the rest are never read. The caller owns it (one per
 * scan) and {@link isNonCodeContext} restarts it for each candidate; nothing is kept between
 * scans.
 */
export class TokensBefore {
  /** The tokens before the candidate being checked, nearest first, as written and lower-cased. */
  private readonly tokens: string[] = new Array<string>(MAX_TOKENS).fill('');
  private readonly lowerTokens: string[] = new Array<string>(MAX_TOKENS).fill('');
  private text = '';
  /** The character codes of `text`. */
  private codes: Uint16Array = new Uint16Array(0);
  private pos = 0;
  private floor = 0;
  private count = 0;
  private done = true;
  /** End of the candidate (start of what follows it). */
  end = 0;

  /** Start reading tokens backwards from just before `start`, on the same line, at most 64 characters. */
  start(text: string, codes: Uint16Array, start: number, end: number): void {
    this.text = text;
    this.codes = codes;
    this.end = end;
    this.pos = start - 1;
    this.floor = Math.max(0, start - 64);
    this.count = 0;
    this.done = false;
  }

  /** Drop the references to the text once a candidate is settled. */
  release(): void {
    this.text = '';
    this.codes = new Uint16Array(0);
  }

  /** The text after the candidate, at most `n` characters. */
  after(n: number): string {
    return this.text.slice(this.end, this.end + n);
  }

  /** Whether there is a k-th token (0 = nearest) before the candidate. */
  has(k: number): boolean {
    while (this.count <= k && !this.done) this.read();
    return k < this.count;
  }

  /** The k-th token before the candidate as written, or `''`. */
  tok(k: number): string {
    return this.has(k) ? this.tokens[k]! : '';
  }

  /** The k-th token before the candidate lower-cased, or `''`. */
  low(k: number): string {
    return this.has(k) ? this.lowerTokens[k]! : '';
  }

  /**
   * Read the next token before the candidate: a run of letters and digits (inner dots dropped:
   * `p.o.` → `po`) or a single punctuation character, in original case; blanks are skipped and
   * the line start ends the tokens.
   */
  private read(): void {
    const codes = this.codes;
    const floor = this.floor;
    let i = this.pos;
    if (this.count >= MAX_TOKENS) {
      this.done = true;
      return;
    }
    while (i >= floor) {
      const c = codes[i]!;
      if (c === 10 || c === 13) break;
      if (c === 32 || c === 9 || c === 160) {
        i--;
        continue;
      }
      let token: string;
      // Lower-casing allocates; skip it for tokens that have no capital (most words) and for
      // ASCII punctuation.
      let caps: boolean;
      if (isAlnum(c)) {
        const end = i + 1;
        let dotted = false;
        caps = false;
        for (;;) {
          if (i < floor) break;
          const d = codes[i]!;
          if (isAlnum(d)) {
            if (d >= 65 && d <= 90) caps = true;
            i--;
          } else if (d === 46 && i > floor && isAlnum(codes[i - 1]!)) {
            dotted = true;
            i--;
          } else break;
        }
        const word = this.text.slice(i + 1, end);
        token = dotted ? word.replace(/\./g, '') : word;
      } else {
        token = this.text[i]!;
        caps = c >= 128;
        i--;
      }
      this.tokens[this.count] = token;
      this.lowerTokens[this.count] = caps ? token.toLowerCase() : token;
      this.count++;
      this.pos = i;
      return;
    }
    this.pos = i;
    this.done = true;
  }
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
