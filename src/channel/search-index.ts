import { Postings } from './postings.js';
import { TopK } from '../common/top-k.js';

/**
 * An in-memory inverted index for BM25 search, kept in step with the channel's mirror: a
 * document is added when it is created and dropped when it leaves search (deleted, flagged,
 * hidden). It is rebuilt from the posts/users tables on load, so a resumed run ranks alike.
 *
 * Docs are the channel's dense ids (non-negative integers below 2^32, counted up from 0 or 1):
 * per-doc data sits in typed arrays indexed by id, postings in typed arrays per term
 * (postings.ts), and each doc's distinct terms in one shared array, to undo its postings
 * when it is removed. A query scores only the docs that can still enter its top k (MaxScore,
 * see `search`), with the same scores, order and ties as scoring every matching doc.
 */

const K1 = 1.2;
const B = 0.75;

/**
 * Lower-case words, plus every `#tag` as its own token next to its word. A word is a maximal
 * run of letters, digits and _ (`[\p{L}\p{N}_]+`), a tag such a run right after a `#`. Scanned
 * by hand rather than with that regex: tokenizing was most of the cost of indexing a post.
 */
export function tokenize(text: string): string[] {
  const s = text.toLowerCase();
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= s.length; ) {
    let cp = i < s.length ? s.charCodeAt(i) : 0;
    if (cp >= 0xd800 && cp <= 0xdbff) cp = s.codePointAt(i) as number;
    const word = i < s.length && isWordChar(cp);
    if (word && start < 0) start = i;
    else if (!word && start >= 0) {
      const w = s.slice(start, i);
      out.push(w);
      if (start > 0 && s.charCodeAt(start - 1) === 35) out.push(`#${w}`);
      start = -1;
    }
    i += cp > 0xffff ? 2 : 1;
  }
  return out;
}

const WORD_CHAR = /^[\p{L}\p{N}_]$/u;
/** Per BMP code unit: 0 not classified yet, 1 word character, 2 not. */
const BMP_WORD = new Uint8Array(0x10000);

function isWordChar(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39) || cp === 0x5f || (cp >= 0x41 && cp <= 0x5a);
  if (cp > 0xffff) return WORD_CHAR.test(String.fromCodePoint(cp));
  let known = BMP_WORD[cp];
  if (known === 0) BMP_WORD[cp] = known = WORD_CHAR.test(String.fromCharCode(cp)) ? 1 : 2;
  return known === 1;
}

/** The distinct `#tags` of a text, lower-case, in order of first appearance. */
export function hashtags(text: string): string[] {
  return [...new Set(tokenize(text).filter((t) => t.startsWith('#')))];
}

/**
 * One term's BM25 contribution: the one formula both the pruning bounds and the scores use.
 * As computed it rises with tf and falls with len (every float operation is monotone, and
 * between integer tfs the true gap dwarfs the rounding), so its value at a list's highest tf
 * and shortest doc bounds every posting of the list.
 */
function termScore(idf: number, tf: number, len: number, avgdl: number): number {
  return (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / avgdl));
}

/**
 * Sum of `values` in query-term order, as an exhaustive scorer adds a doc's contributions.
 * Floating-point addition is not associative, so scores and bounds are always summed in this
 * one order: then a bound made of per-term upper bounds is never below the score it bounds.
 */
function sumInOrder(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

export class SearchIndex {
  private readonly termIds = new Map<string, number>();
  /** term id → its postings and its text; ids of terms without live postings are reused. */
  private readonly lists: (Postings | undefined)[] = [];
  private readonly names: string[] = [];
  private readonly freeIds: number[] = [];
  /**
   * Per-doc arrays start at doc `offset`: a channel that drops its old posts (the memory
   * window, see ChannelState.evictBefore) moves it up with `dropBelow`, so they span the
   * window's ids instead of every id of the run.
   */
  private offset = 0;
  /** doc - offset → length in tokens. */
  private lengths = new Uint32Array(0);
  /** doc - offset → 1 + offset in `terms` of its entry (count, then distinct term ids), 0 when not indexed. */
  private entries = new Uint32Array(0);
  private terms = new Uint32Array(1024);
  private termsUsed = 0;
  /** Slots of `terms` held by removed docs, reclaimed when they are half of it. */
  private termsFree = 0;
  private docs = 0;
  private totalLength = 0;
  /** Scratch for `add`: term id → count in the doc being added. */
  private tf = new Uint32Array(0);

  get size(): number {
    return this.docs;
  }

  has(doc: number): boolean {
    return doc >= this.offset && doc - this.offset < this.entries.length && this.entries[doc - this.offset] !== 0;
  }

  /**
   * Docs below `doc` will not come again (every one of them already removed): the per-doc
   * arrays may start there. They are moved only once half of them lies below, so the copy
   * costs a constant per doc dropped.
   */
  dropBelow(doc: number): void {
    const cut = doc - this.offset;
    if (cut <= 0 || cut * 2 < this.entries.length) return;
    for (let i = 0; i < Math.min(cut, this.entries.length); i++) if (this.entries[i] !== 0) throw new Error(`search index: doc ${this.offset + i} is still indexed`);
    this.lengths = this.lengths.slice(Math.min(cut, this.lengths.length));
    this.entries = this.entries.slice(Math.min(cut, this.entries.length));
    this.offset = doc;
  }

  /** The document's distinct `#tags` (as `hashtags` gives them), or null when it is not indexed. */
  tagsOf(doc: number): string[] | null {
    if (!this.has(doc)) return null;
    const at = this.entries[doc - this.offset]! - 1;
    const out: string[] = [];
    for (let i = 1; i <= this.terms[at]!; i++) {
      const name = this.names[this.terms[at + i]!]!;
      if (name.startsWith('#')) out.push(name);
    }
    return out;
  }

  add(doc: number, text: string): void {
    if (!Number.isInteger(doc) || doc < this.offset || doc >= 0xffffffff) throw new RangeError(`search index: doc id ${doc} is not a dense id at or above ${this.offset}`);
    if (this.has(doc)) this.remove(doc);
    const tokens = tokenize(text);
    this.reserveDoc(doc);
    this.reserveTerms(tokens.length + 1);
    // Distinct term ids go straight into the doc's entry, their counts into `tf` (zero again after).
    const at = this.termsUsed;
    let end = at + 1;
    for (const t of tokens) {
      const id = this.termId(t);
      if (this.tf[id]!++ === 0) this.terms[end++] = id;
    }
    this.terms[at] = end - at - 1;
    for (let i = at + 1; i < end; i++) {
      const id = this.terms[i]!;
      this.lists[id]!.push(doc, this.tf[id]!, tokens.length);
      this.tf[id] = 0;
    }
    this.termsUsed = end;
    this.lengths[doc - this.offset] = tokens.length;
    this.entries[doc - this.offset] = at + 1;
    this.docs++;
    this.totalLength += tokens.length;
  }

  remove(doc: number): void {
    if (!this.has(doc)) return;
    const at = this.entries[doc - this.offset]! - 1;
    const count = this.terms[at]!;
    for (let i = 1; i <= count; i++) {
      const id = this.terms[at + i]!;
      const list = this.lists[id]!;
      list.remove(doc, this.lengths, this.offset);
      if (list.live === 0) {
        this.termIds.delete(this.names[id]!);
        this.lists[id] = undefined;
        this.freeIds.push(id);
      }
    }
    this.entries[doc - this.offset] = 0;
    this.docs--;
    this.totalLength -= this.lengths[doc - this.offset]!;
    this.termsFree += count + 1;
    if (this.termsFree > 4096 && this.termsFree * 2 > this.termsUsed) this.reclaimTerms();
  }

  /**
   * Documents matching any query token, by BM25 score (k1 1.2, b 0.75), best first; ties go
   * to the higher (newer) id. `keep` filters documents before the limit is applied.
   *
   * MaxScore, document at a time, newest doc first: each term has an upper bound of its
   * contribution (its idf at its highest tf in its shortest doc). Once the k-th best score
   * reaches the summed bounds of the weakest terms, those terms are "non-essential": a doc
   * found only in them cannot enter (on a tie it loses, being older), so candidates come from
   * the other terms' lists alone, and the weak terms are looked up only while a candidate's
   * bound still beats the k-th score. `keep` runs only for docs that would enter.
   */
  search(query: string, limit: number, keep: (doc: number) => boolean): number[] {
    const n = this.docs;
    if (n === 0 || limit < 1) return [];
    const avgdl = this.totalLength / n || 1;
    const lists: Postings[] = [];
    const idfs: number[] = [];
    for (const t of new Set(tokenize(query))) {
      const id = this.termIds.get(t);
      const list = id === undefined ? undefined : this.lists[id];
      if (!list) continue;
      list.prepare(this.lengths, this.offset);
      lists.push(list);
      idfs.push(Math.log(1 + (n - list.live + 0.5) / (list.live + 0.5)));
    }
    const m = lists.length;
    if (m === 0) return [];
    const bounds = Float64Array.from(lists, (l, q) => termScore(idfs[q]!, l.maxTf, l.minLen, avgdl));
    /** Query-term indices by increasing bound: the first `weak` of them are non-essential. */
    const order = Array.from({ length: m }, (_, q) => q).sort((a, b) => bounds[a]! - bounds[b]!);
    let weak = 0;
    const cursor = Int32Array.from(lists, (l) => l.size - 1);
    const values = new Float64Array(m);
    const top = new TopK(limit);
    const lengths = this.lengths;
    const offset = this.offset;

    /** Moves term q's cursor past tombstones. */
    const settle = (q: number): void => {
      const data = lists[q]!.data;
      let p = cursor[q]!;
      while (p >= 0 && data[p * 2 + 1] === 0) p--;
      cursor[q] = p;
    };
    for (let q = 0; q < m; q++) settle(q);

    /** Whether the weakest `k` terms' bounds, summed in query order, cannot beat the k-th score. */
    const outranked = (k: number): boolean => {
      values.fill(0);
      for (let j = 0; j < k; j++) values[order[j]!] = bounds[order[j]!]!;
      return sumInOrder(values) <= top.floor;
    };

    for (;;) {
      let doc = -1;
      for (let j = weak; j < m; j++) {
        const q = order[j]!;
        const p = cursor[q]!;
        if (p >= 0 && lists[q]!.data[p * 2]! > doc) doc = lists[q]!.data[p * 2]!;
      }
      if (doc < 0) break;
      const len = lengths[doc - offset]!;
      for (let j = weak; j < m; j++) {
        const q = order[j]!;
        const p = cursor[q]!;
        const data = lists[q]!.data;
        if (p >= 0 && data[p * 2] === doc) {
          values[q] = termScore(idfs[q]!, data[p * 2 + 1]!, len, avgdl);
          cursor[q] = p - 1;
          settle(q);
        } else values[q] = 0;
      }
      // The weak terms count at their bounds until looked up, strongest first; the doc is
      // dropped as soon as its bound cannot beat the k-th score.
      for (let j = 0; j < weak; j++) values[order[j]!] = bounds[order[j]!]!;
      let score = sumInOrder(values);
      for (let j = weak - 1; j >= 0 && !top.rejects(score, doc); j--) {
        const q = order[j]!;
        const list = lists[q]!;
        const p = list.seekAtMost(cursor[q]!, doc);
        cursor[q] = p;
        const tf = p >= 0 && list.data[p * 2] === doc ? list.data[p * 2 + 1]! : 0;
        values[q] = tf === 0 ? 0 : termScore(idfs[q]!, tf, len, avgdl);
        score = sumInOrder(values);
      }
      if (top.rejects(score, doc) || !keep(doc)) continue;
      top.offer(doc, score, doc);
      while (weak < m && outranked(weak + 1)) weak++;
      if (weak === m) break;
    }
    return top.drain();
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.freeIds.pop() ?? this.lists.length;
      if (id >= this.tf.length) {
        const tf = new Uint32Array(Math.max(1024, id * 2));
        tf.set(this.tf);
        this.tf = tf;
      }
      this.termIds.set(term, id);
      this.lists[id] = new Postings();
      this.names[id] = term;
    }
    return id;
  }

  private reserveDoc(doc: number): void {
    const at = doc - this.offset;
    if (at < this.entries.length) return;
    const size = Math.max(1024, at + 1, Math.floor(this.entries.length * 1.5));
    const lengths = new Uint32Array(size);
    lengths.set(this.lengths);
    this.lengths = lengths;
    const entries = new Uint32Array(size);
    entries.set(this.entries);
    this.entries = entries;
  }

  private reserveTerms(extra: number): void {
    if (this.termsUsed + extra <= this.terms.length) return;
    const next = new Uint32Array(Math.max(this.termsUsed + extra, Math.floor(this.terms.length * 1.5)));
    next.set(this.terms.subarray(0, this.termsUsed));
    this.terms = next;
  }

  /** Rewrites `terms` without the entries of removed docs. */
  private reclaimTerms(): void {
    const next = new Uint32Array(Math.max(1024, Math.ceil((this.termsUsed - this.termsFree) * 1.5)));
    let used = 0;
    for (let doc = 0; doc < this.entries.length; doc++) {
      if (this.entries[doc] === 0) continue;
      const at = this.entries[doc]! - 1;
      const count = this.terms[at]!;
      next.set(this.terms.subarray(at, at + count + 1), used);
      this.entries[doc] = used + 1;
      used += count + 1;
    }
    this.terms = next;
    this.termsUsed = used;
    this.termsFree = 0;
  }
}
