import { EditScratch, terms, typoBudget, withinEdits } from './search-text.ts';
import type { LookupSystem } from './types.ts';

export interface SearchDoc {
  system: LookupSystem;
  code: string;
  description: string;
  /** Extra searchable text (short descriptor, plain-language description). */
  extra: string;
  header: boolean;
  /** Which release the code came from (the caller's number, returned with each hit). */
  release?: number;
}

/** One hit: the document's code and where it came from (descriptors are not held: the caller reads the few it shows). */
export interface IndexHit {
  system: LookupSystem;
  code: string;
  score: number;
  header: boolean;
  release: number;
}

const K1 = 1.2;
const B = 0.75;
const SYSTEM_IDS: LookupSystem[] = ['icd10cm', 'icd10pcs', 'hcpcs', 'cpt', 'modifier', 'unknown'];

/**
 * A growable integer array held in fixed-size typed chunks: growing never copies (no doubling
 * garbage), and the whole list is copied once into the index's own compact array at the end.
 */
class ChunkedList<T extends Int32Array | Uint16Array | Uint8Array> {
  private readonly chunks: T[] = [];
  length = 0;

  constructor(private readonly make: (n: number) => T, private readonly chunkSize = 1 << 18) {}

  push(v: number): void {
    const at = this.length % this.chunkSize;
    if (at === 0) this.chunks.push(this.make(this.chunkSize));
    this.chunks[this.chunks.length - 1][at] = v;
    this.length += 1;
  }

  get(i: number): number {
    return this.chunks[Math.floor(i / this.chunkSize)][i % this.chunkSize];
  }

  /** The values as one array of the given kind. */
  toArray<U extends Int32Array | Uint16Array | Uint8Array>(make: (n: number) => U): U {
    const out = make(this.length);
    this.chunks.forEach((c, k) => out.set(c.subarray(0, Math.min(this.chunkSize, this.length - k * this.chunkSize)), k * this.chunkSize));
    return out;
  }
}

/**
 * Collects documents one at a time (a release's rows can be streamed in) and builds the index.
 * Each document's terms are gathered as term ids in flat typed chunks (the document is known
 * from its offset) and bucketed once at the end (a counting sort): no per-term JavaScript
 * arrays growing a million times, and little memory beyond the index itself while it is built.
 */
export class SearchIndexBuilder {
  private readonly codes: string[] = [];
  private readonly systems = new ChunkedList((n) => new Uint8Array(n), 1 << 16);
  private readonly headers = new ChunkedList((n) => new Uint8Array(n), 1 << 16);
  private readonly releases: number[] = [];
  private readonly lengths = new ChunkedList((n) => new Uint16Array(n), 1 << 16);
  private readonly termIds = new Map<string, number>();
  /** The term ids of every document, one after the other; termStart[d] is where document d's begin. */
  private readonly docTerms = new ChunkedList((n) => new Int32Array(n));
  private readonly termStart = new ChunkedList((n) => new Int32Array(n), 1 << 16);
  private total = 0;

  add(d: SearchDoc): void {
    const main = terms(d.description);
    const length = Math.min(65535, Math.max(1, main.length));
    this.codes.push(d.code);
    this.systems.push(SYSTEM_IDS.indexOf(d.system));
    this.headers.push(d.header ? 1 : 0);
    this.releases.push(d.release ?? 0);
    this.lengths.push(length);
    this.total += length;
    this.termStart.push(this.docTerms.length);
    for (const t of new Set([...main, ...terms(d.extra)])) {
      let term = this.termIds.get(t);
      if (term === undefined) this.termIds.set(t, (term = this.termIds.size));
      this.docTerms.push(term);
    }
  }

  build(): SearchIndex {
    const n = this.codes.length;
    const pairs = this.docTerms.length;
    const counts = new Int32Array(this.termIds.size + 1);
    for (let i = 0; i < pairs; i += 1) counts[this.docTerms.get(i) + 1] += 1;
    for (let t = 1; t < counts.length; t += 1) counts[t] += counts[t - 1];
    const all = new Int32Array(pairs);
    const fill = counts.slice(0, -1);
    for (let d = 0; d < n; d += 1) {
      const end = d + 1 < n ? this.termStart.get(d + 1) : pairs;
      for (let i = this.termStart.get(d); i < end; i += 1) all[fill[this.docTerms.get(i)]++] = d;
    }
    const postings = new Map<string, Int32Array>();
    for (const [t, id] of this.termIds) postings.set(t, all.subarray(counts[id], counts[id + 1]));
    return new SearchIndex({
      codes: this.codes, systems: this.systems.toArray((k) => new Uint8Array(k)), headers: this.headers.toArray((k) => new Uint8Array(k)),
      releases: Uint32Array.from(this.releases), lengths: this.lengths.toArray((k) => new Uint16Array(k)), postings,
      avgLen: n ? this.total / n : 1,
    });
  }
}

interface IndexParts {
  codes: string[];
  systems: Uint8Array;
  headers: Uint8Array;
  releases: Uint32Array;
  lengths: Uint16Array;
  postings: Map<string, Int32Array>;
  avgLen: number;
}

/**
 * An in-memory inverted index over code descriptors: term → sorted doc ids, with BM25 scoring
 * (term frequency taken as 1: descriptors are short). Matching is tolerant: a query word that is
 * not in the vocabulary matches vocabulary words within 1 edit (2 from 8 letters), and every
 * query word of 3+ letters also matches as a prefix, both at reduced weight. Documents matching
 * more of the query words always rank first (coverage squared scales the score). Per document it
 * holds the code and a few bytes, not the descriptor text: a quarter of a million codes fit in
 * about 25 MB.
 */
export class SearchIndex {
  private readonly codes: string[];
  private readonly systems: Uint8Array;
  private readonly headers: Uint8Array;
  private readonly releases: Uint32Array;
  private readonly lengths: Uint16Array;
  private readonly postings: Map<string, Int32Array>;
  private readonly vocab: string[];
  private readonly byLength = new Map<number, string[]>();
  private readonly avgLen: number;
  /** Scratch arrays reused by every search (reset after use): no per-query allocation of index size. */
  private readonly score: Float64Array;
  private readonly matched: Uint8Array;
  private readonly best: Float64Array;
  private readonly hit: Int32Array;
  private readonly touched: Int32Array;
  private readonly edits = new EditScratch();

  /** An index of these documents (see SearchIndexBuilder to stream them in). */
  static of(docs: SearchDoc[]): SearchIndex {
    const b = new SearchIndexBuilder();
    for (const d of docs) b.add(d);
    return b.build();
  }

  constructor(parts: IndexParts) {
    ({ codes: this.codes, systems: this.systems, headers: this.headers, releases: this.releases, lengths: this.lengths, postings: this.postings, avgLen: this.avgLen } = parts);
    this.vocab = [...this.postings.keys()].sort();
    for (const v of this.vocab) {
      const l = this.byLength.get(v.length);
      if (l) l.push(v);
      else this.byLength.set(v.length, [v]);
    }
    const n = this.codes.length;
    this.score = new Float64Array(n);
    this.matched = new Uint8Array(n);
    this.best = new Float64Array(n);
    this.hit = new Int32Array(n);
    this.touched = new Int32Array(n);
  }

  get size(): number {
    return this.codes.length;
  }

  /** Vocabulary terms a query word matches, with weights (exact 1, typo 0.6, prefix 0.5). */
  private expand(word: string): [string, number][] {
    const out = new Map<string, number>();
    if (this.postings.has(word)) out.set(word, 1);
    const budget = typoBudget(word);
    if (!out.size && budget > 0) {
      for (let len = word.length - budget; len <= word.length + budget; len += 1) {
        for (const v of this.byLength.get(len) ?? []) if (withinEdits(word, v, budget, this.edits)) out.set(v, 0.6);
      }
    }
    if (word.length >= 3) {
      let lo = 0;
      let hi = this.vocab.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.vocab[mid] < word) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo, n = 0; i < this.vocab.length && n < 50 && this.vocab[i].startsWith(word); i += 1, n += 1) {
        if (!out.has(this.vocab[i])) out.set(this.vocab[i], 0.5);
      }
    }
    return [...out];
  }

  /** Ranked matches for free words, optionally within one system. */
  search(words: string, options: { system?: LookupSystem; limit?: number } = {}): IndexHit[] {
    const qterms = [...new Set(terms(words))];
    if (qterms.length === 0) return [];
    const touchedCount = this.accumulate(qterms, options.system ? SYSTEM_IDS.indexOf(options.system) : -1);
    const top = this.topK(touchedCount, qterms.length, options.limit ?? 10);
    for (let i = 0; i < touchedCount; i += 1) {
      const d = this.touched[i];
      this.score[d] = 0;
      this.matched[d] = 0;
    }
    return top.map(({ d, s }) => ({
      system: SYSTEM_IDS[this.systems[d]], code: this.codes[d], score: Math.round(s * 1000) / 1000, header: this.headers[d] === 1, release: this.releases[d],
    }));
  }

  /**
   * Add each query word's best BM25 contribution to the score of every document it matches
   * (`only`: a system id, or -1). Returns how many documents were touched (listed in `touched`).
   */
  private accumulate(qterms: string[], only: number): number {
    const n = this.codes.length;
    const { score, matched, best, hit, touched } = this;
    let touchedCount = 0;
    for (const q of qterms) {
      let hitCount = 0;
      const exact = this.postings.get(q);
      const exactIdf = exact ? Math.log(1 + (n - exact.length + 0.5) / (exact.length + 0.5)) : Infinity;
      for (const [term, weight] of this.expand(q)) {
        const list = this.postings.get(term)!;
        // A rare prefix or typo match must not outrank the word itself: cap its idf at the word's.
        const idf = Math.min(exactIdf, Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5)));
        for (let i = 0; i < list.length; i += 1) {
          const d = list[i];
          if (only >= 0 && this.systems[d] !== only) continue;
          const s = (idf * weight * (K1 + 1)) / (1 + K1 * (1 - B + (B * this.lengths[d]) / this.avgLen));
          if (best[d] === 0) hit[hitCount++] = d;
          if (s > best[d]) best[d] = s;
        }
      }
      for (let i = 0; i < hitCount; i += 1) {
        const d = hit[i];
        if (matched[d] === 0) touched[touchedCount++] = d;
        matched[d] += 1;
        score[d] += best[d];
        best[d] = 0;
      }
    }
    return touchedCount;
  }

  /** The best `limit` touched documents, by insertion into a short sorted list (touched can be tens of thousands). */
  private topK(touchedCount: number, words: number, limit: number): { d: number; s: number }[] {
    const before = (x: { d: number; s: number }, y: { d: number; s: number }) =>
      x.s !== y.s ? x.s > y.s : this.lengths[x.d] !== this.lengths[y.d] ? this.lengths[x.d] < this.lengths[y.d] : this.codes[x.d] < this.codes[y.d];
    const top: { d: number; s: number }[] = [];
    for (let i = 0; i < touchedCount; i += 1) {
      const d = this.touched[i];
      const item = { d, s: this.score[d] * (this.matched[d] / words) ** 2 };
      if (top.length === limit && !before(item, top[top.length - 1])) continue;
      let at = top.length;
      while (at > 0 && before(item, top[at - 1])) at -= 1;
      top.splice(at, 0, item);
      if (top.length > limit) top.pop();
    }
    return top;
  }
}

/** A built search index of one database and what it was built from (see searchCodes). */
export interface SearchSlot {
  fingerprint: string;
  index: Promise<SearchIndex>;
  /** When the fingerprint was last checked against the database. */
  checkedAt: number;
}
