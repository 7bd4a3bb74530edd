import { EditScratch, terms, typoBudget, withinEdits } from './search-text.ts';
import type { LookupSystem, SearchHit } from './types.ts';

export interface SearchDoc {
  system: LookupSystem;
  code: string;
  description: string;
  /** Extra searchable text (short descriptor, plain-language description). */
  extra: string;
  header: boolean;
}

const K1 = 1.2;
const B = 0.75;

/**
 * An in-memory inverted index over code descriptors: term → sorted doc ids, with BM25 scoring
 * (term frequency taken as 1: descriptors are short). Matching is tolerant: a query word that is
 * not in the vocabulary matches vocabulary words within 1 edit (2 from 8 letters), and every
 * query word of 3+ letters also matches as a prefix, both at reduced weight. Documents matching
 * more of the query words always rank first (coverage squared scales the score).
 */
export class SearchIndex {
  private readonly docs: SearchDoc[];
  private readonly lengths: Uint16Array;
  private readonly postings = new Map<string, Int32Array>();
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

  constructor(docs: SearchDoc[]) {
    this.docs = docs;
    this.lengths = new Uint16Array(docs.length);
    const lists = new Map<string, number[]>();
    let total = 0;
    docs.forEach((d, id) => {
      const main = terms(d.description);
      this.lengths[id] = Math.max(1, main.length);
      total += this.lengths[id];
      for (const t of new Set([...main, ...terms(d.extra)])) {
        let l = lists.get(t);
        if (!l) lists.set(t, (l = []));
        l.push(id);
      }
    });
    for (const [t, l] of lists) this.postings.set(t, Int32Array.from(l));
    this.vocab = [...lists.keys()].sort();
    for (const v of this.vocab) {
      const l = this.byLength.get(v.length);
      if (l) l.push(v);
      else this.byLength.set(v.length, [v]);
    }
    this.avgLen = docs.length ? total / docs.length : 1;
    this.score = new Float64Array(docs.length);
    this.matched = new Uint8Array(docs.length);
    this.best = new Float64Array(docs.length);
    this.hit = new Int32Array(docs.length);
    this.touched = new Int32Array(docs.length);
  }

  get size(): number {
    return this.docs.length;
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
  search(words: string, options: { system?: LookupSystem; limit?: number } = {}): SearchHit[] {
    const limit = options.limit ?? 10;
    const qterms = [...new Set(terms(words))];
    if (qterms.length === 0) return [];
    const n = this.docs.length;
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
          if (options.system && this.docs[d].system !== options.system) continue;
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
    // Top-k by insertion into a short sorted list: touched can be tens of thousands of docs.
    const before = (x: { d: number; s: number }, y: { d: number; s: number }) =>
      x.s !== y.s ? x.s > y.s : this.lengths[x.d] !== this.lengths[y.d] ? this.lengths[x.d] < this.lengths[y.d] : this.docs[x.d].code < this.docs[y.d].code;
    const top: { d: number; s: number }[] = [];
    for (let i = 0; i < touchedCount; i += 1) {
      const d = touched[i];
      const item = { d, s: score[d] * (matched[d] / qterms.length) ** 2 };
      if (top.length === limit && !before(item, top[top.length - 1])) continue;
      let at = top.length;
      while (at > 0 && before(item, top[at - 1])) at -= 1;
      top.splice(at, 0, item);
      if (top.length > limit) top.pop();
    }
    for (let i = 0; i < touchedCount; i += 1) {
      const d = touched[i];
      score[d] = 0;
      matched[d] = 0;
    }
    return top.map(({ d, s }) => {
      const doc = this.docs[d];
      return { system: doc.system, code: doc.code, description: doc.description, score: Math.round(s * 1000) / 1000, ...(doc.header ? { header: true } : {}) };
    });
  }
}


/** A built search index of one database and what it was built from (see searchCodes). */
export interface SearchSlot {
  fingerprint: string;
  index: Promise<SearchIndex>;
  /** When the fingerprint was last checked against the database. */
  checkedAt: number;
}
