import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/common/rng.js';
import { hashtags, SearchIndex, tokenize } from '../../src/channel/search-index.js';

/** The index as it was before pruning: every matching doc scored, then sorted. The reference. */
class ExhaustiveBm25 {
  private readonly postings = new Map<string, Map<number, number>>();
  private readonly docs = new Map<number, { tokens: readonly string[]; length: number }>();
  private totalLength = 0;

  add(doc: number, text: string): void {
    this.remove(doc);
    const tokens = tokenize(text);
    const tf = new Map<string, number>();
    for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      let list = this.postings.get(t);
      if (!list) this.postings.set(t, (list = new Map()));
      list.set(doc, n);
    }
    this.docs.set(doc, { tokens: [...tf.keys()], length: tokens.length });
    this.totalLength += tokens.length;
  }

  remove(doc: number): void {
    const d = this.docs.get(doc);
    if (!d) return;
    for (const t of d.tokens) {
      const list = this.postings.get(t)!;
      list.delete(doc);
      if (list.size === 0) this.postings.delete(t);
    }
    this.docs.delete(doc);
    this.totalLength -= d.length;
  }

  search(query: string, limit: number, keep: (doc: number) => boolean): number[] {
    const terms = [...new Set(tokenize(query))];
    const n = this.docs.size;
    if (n === 0 || terms.length === 0) return [];
    const avgdl = this.totalLength / n || 1;
    const scores = new Map<number, number>();
    for (const t of terms) {
      const list = this.postings.get(t);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.size + 0.5) / (list.size + 0.5));
      for (const [doc, tf] of list) {
        const len = this.docs.get(doc)!.length;
        const s = (idf * tf * (1.2 + 1)) / (tf + 1.2 * (1 - 0.75 + (0.75 * len) / avgdl));
        scores.set(doc, (scores.get(doc) ?? 0) + s);
      }
    }
    return [...scores]
      .filter(([doc]) => keep(doc))
      .sort((a, b) => b[1] - a[1] || b[0] - a[0])
      .slice(0, limit)
      .map(([doc]) => doc);
  }
}

/** A Zipf-ish vocabulary: a few words in most docs (long lists, many tied scores), a long tail. */
const WORDS = Array.from({ length: 60 }, (_, i) => `w${i}`);
function word(rng: Rng): string {
  const w = WORDS[Math.min(WORDS.length - 1, Math.floor(WORDS.length * rng.next() ** 3))]!;
  return rng.chance(0.1) ? `#${w}` : w;
}
const text = (rng: Rng): string => Array.from({ length: 1 + rng.int(rng.chance(0.9) ? 8 : 40) }, () => word(rng)).join(' ');

describe('tokenize', () => {
  it('when texts mix scripts, marks, surrogates and #s then tokens are the words and tags the regex finds', () => {
    const byRegex = (text: string): string[] =>
      [...text.toLowerCase().matchAll(/(#?)([\p{L}\p{N}_]+)/gu)].flatMap((m) => (m[1] === '#' ? [m[2]!, `#${m[2]}`] : [m[2]!]));
    const chars = ['a', 'Z', '_', '#', '#', ' ', ',', '-', '1', 'é', 'ß', 'İ', 'Σ', '日', '本', '٣', '🤔', '𝒜', '\u0301', '\ud800', '\udc00', '\u00a0'];
    const rng = new Rng(5);
    for (let k = 0; k < 2000; k++) {
      const text = Array.from({ length: rng.int(16) }, () => rng.pick(chars)).join('');
      expect(tokenize(text), JSON.stringify(text)).toEqual(byRegex(text));
    }
    expect(tokenize('Read #Tech, #fußball & 日本!')).toEqual(['read', 'tech', '#tech', 'fußball', '#fußball', '日本']);
  });
});

describe('SearchIndex', () => {
  it('when docs come, go and come back then pruned top-k search ranks exactly as scoring every doc', () => {
    const rng = new Rng(20240611);
    const index = new SearchIndex();
    const reference = new ExhaustiveBm25();
    const texts = new Map<number, string>();
    let next = 1;
    let checked = 0;
    for (let round = 0; round < 40; round++) {
      for (let k = 0; k < 150; k++) {
        const pick = rng.next();
        // Mostly new docs in id order; some out of order, re-added with new text, or removed.
        const doc = pick < 0.7 ? next++ : pick < 0.8 ? next + 500 + rng.int(500) : 1 + rng.int(next);
        if (pick >= 0.9 && texts.has(doc)) {
          index.remove(doc);
          reference.remove(doc);
          texts.delete(doc);
          continue;
        }
        const t = text(rng);
        index.add(doc, t);
        reference.add(doc, t);
        texts.set(doc, t);
      }
      expect(index.size).toBe(texts.size);
      for (let k = 0; k < 25; k++) {
        const query = Array.from({ length: 1 + rng.int(4) }, () => (rng.chance(0.05) ? 'absent' : word(rng))).join(' ');
        const limit = rng.chance(0.5) ? 10 : 1 + rng.int(50);
        const salt = rng.int(5);
        const keep = salt === 0 ? () => true : (doc: number) => (doc + salt) % 5 !== 0;
        expect(index.search(query, limit, keep), `${query} (limit ${limit}, salt ${salt})`).toEqual(reference.search(query, limit, keep));
        checked++;
      }
    }
    expect(checked).toBe(1000);
    for (const [doc, t] of texts) expect(index.tagsOf(doc)).toEqual(hashtags(t));
  });

  it('when every matching doc ties then the newest come first', () => {
    const index = new SearchIndex();
    for (let doc = 0; doc < 1000; doc++) index.add(doc, doc % 2 === 0 ? 'apple pie' : 'plum pie');
    expect(index.search('apple', 3, () => true)).toEqual([998, 996, 994]);
    expect(index.search('pie apple', 3, (doc) => doc !== 998)).toEqual([996, 994, 992]);
    expect(index.search('pie', 2, () => true)).toEqual([999, 998]);
  });

  it('when a doc is removed then it is neither found nor counted, and its terms go when no doc has them', () => {
    const index = new SearchIndex();
    index.add(0, 'apple');
    index.add(1, 'apple #kiwi');
    index.remove(1);
    index.remove(1);
    expect([index.size, index.has(1), index.tagsOf(1)]).toEqual([1, false, null]);
    expect(index.search('kiwi', 10, () => true)).toEqual([]);
    index.add(1, 'kiwi');
    expect(index.search('kiwi apple', 10, () => true)).toEqual([1, 0]);
    expect(index.tagsOf(1)).toEqual([]);
  });

  it('when ids are not dense non-negative integers then adding throws', () => {
    expect(() => new SearchIndex().add(-1, 'a')).toThrow(RangeError);
    expect(() => new SearchIndex().add(1.5, 'a')).toThrow(RangeError);
  });
});
