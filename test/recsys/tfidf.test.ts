import { describe, expect, it } from 'vitest';
import type { PostView } from '../../src/channel/snapshot.js';
import { Rng } from '../../src/common/rng.js';
import { ContentIndex } from '../../src/recsys/content-index.js';
import { Vocabulary, type Bag } from '../../src/recsys/tfidf.js';
import { TopK } from '../../src/common/top-k.js';
import { post } from '../helpers/recsys.js';

function termsOf(vocab: Vocabulary, bag: Bag): [string, number][] {
  const out: [string, number][] = [];
  for (let k = 0; k < bag.length; k += 2) out.push([vocab.name(bag[k]!), bag[k + 1]!]);
  return out;
}

/** TF-IDF cosine × prior of every candidate with the query texts, by brute force over dense maps. */
function bruteForce(posts: readonly PostView[], prior: readonly number[], queryTexts: readonly string[]): number[] {
  const tokens = (text: string): Map<string, number> => {
    const counts = new Map<string, number>();
    const vocab = new Vocabulary();
    const bag = vocab.bagOf(text);
    for (let k = 0; k < bag.length; k += 2) counts.set(vocab.name(bag[k]!), bag[k + 1]!);
    return counts;
  };
  const docs = posts.map((p) => tokens(p.text));
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string): number => ((df.get(t) ?? 0) > 0 ? Math.log((1 + posts.length) / (1 + df.get(t)!)) : 0);
  const unit = (counts: Map<string, number>): Map<string, number> => {
    const v = new Map([...counts].map(([t, c]) => [t, (1 + Math.log(c)) * idf(t)] as const).filter(([, w]) => w > 0));
    const norm = Math.sqrt([...v.values()].reduce((s, w) => s + w * w, 0));
    return new Map([...v].map(([t, w]) => [t, w / norm]));
  };
  const query = new Map<string, number>();
  for (const text of queryTexts) for (const [t, c] of tokens(text)) query.set(t, (query.get(t) ?? 0) + c);
  const q = unit(query);
  return docs.map((d, i) => {
    let dot = 0;
    for (const [t, w] of unit(d)) dot += w * (q.get(t) ?? 0);
    return dot * prior[i]!;
  });
}

describe('TF-IDF vectors', () => {
  it('when a text is read into a bag then words and #hashtags are terms, counted, in first-appearance order', () => {
    const vocab = new Vocabulary();
    const bag = vocab.bagOf('Heat records, heat everywhere #Climate');
    expect(termsOf(vocab, bag)).toEqual([['heat', 2], ['records', 1], ['everywhere', 1], ['climate', 1], ['#climate', 1]]);
    // A second text reuses the ids of known terms.
    const again = vocab.bagOf('climate heat');
    expect(again[0]).toBe(bag[6]);
    expect(again[2]).toBe(bag[0]);
  });

  it('when posts leave the window then the bags given back follow the posts asked for, in their order', () => {
    const vocab = new Vocabulary();
    vocab.bagsOf([post(1, 9, { text: 'alpha beta' }), post(2, 9, { text: 'gamma' })]);
    const bags = vocab.bagsOf([post(2, 9, { text: 'gamma' }), post(3, 9, { text: 'delta delta' })]);
    expect(Array.from(bags.start)).toEqual([0, 2, 4]);
    expect(termsOf(vocab, bags.data.subarray(0, 2))).toEqual([['gamma', 1]]);
    expect(termsOf(vocab, bags.data.subarray(2, 4))).toEqual([['delta', 2]]);
  });

  it('when the budget covers every posting then match scores are the exact TF-IDF cosine × prior', () => {
    const posts = [
      post(1, 9, { text: 'heat records and renewables' }),
      post(2, 9, { text: 'heat heat heat and more heat' }),
      post(3, 9, { text: 'the markets and interest rates' }),
      post(4, 9, { text: 'renewables #climate' }),
      post(5, 9, { text: 'and and and' }),
    ];
    const prior = [1, 0.5, 1, 0.25, 1];
    const vocab = new Vocabulary();
    const index = new ContentIndex(vocab, vocab.bagsOf(posts), Float64Array.from(prior), { budget: 1e6, shortlist: 1e3 });
    const query = index.queryOf(vocab.bagOf('I follow heat records and #climate news'), [3]);
    const best = new TopK(5);
    index.match(query, [], null, best, Int32Array.from([0, 1, 2, 3, 4]));
    const items = new Int32Array(5);
    const scores = new Float64Array(5);
    const found = best.size;
    best.drainInto(items, scores);
    const expected = bruteForce(posts, prior, ['I follow heat records and #climate news', posts[3]!.text]);
    for (let k = 0; k < found; k++) expect(scores[k]).toBeCloseTo(expected[items[k]!]!, 12);
    // Every candidate sharing a weighted term was met: "and" is in four of five, not all.
    expect(found).toBe(expected.filter((s) => s > 0).length);
  });

  it('when the best matches are blocked or refused then the next best are found, past a short shortlist', () => {
    const posts = [
      ...Array.from({ length: 5 }, (_, i) => post(i + 1, 9, { text: 'alpha beta' })),
      post(6, 9, { text: 'alpha beta gamma' }),
      post(7, 9, { text: 'alpha delta' }),
      post(8, 9, { text: 'zeta' }),
    ];
    const vocab = new Vocabulary();
    const index = new ContentIndex(vocab, vocab.bagsOf(posts), new Float64Array(8).fill(1), { budget: 1e6, shortlist: 1 });
    const query = index.queryOf(vocab.bagOf('alpha beta'), []);
    const ties = Int32Array.from(posts, (_, i) => i);
    const best = new TopK(2);
    index.match(query, [0, 1, 2, 3, 4], null, best, ties);
    expect(best.drain()).toEqual([5, 6]);
    index.match(query, [], (doc) => doc >= 5, best, ties);
    expect(best.drain()).toEqual([5, 6]);
  });

  it('when a term is in every candidate then it weighs nothing and matches nothing', () => {
    const posts = [post(1, 9, { text: 'common alpha' }), post(2, 9, { text: 'common beta' })];
    const vocab = new Vocabulary();
    const index = new ContentIndex(vocab, vocab.bagsOf(posts), Float64Array.from([1, 1]));
    expect(index.queryOf(vocab.bagOf('common'), []).terms).toHaveLength(0);
  });

  it('when the budget is far below the postings then the best candidates are still found on a random corpus', () => {
    const rng = Rng.derive(7, 'tfidf-test');
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    // Zipf-like word use, so a few terms have long posting lists.
    const pick = (): string => words[Math.min(words.length - 1, Math.floor(Math.pow(rng.next(), 2.5) * words.length))]!;
    const posts = Array.from({ length: 3000 }, (_, i) => post(i + 1, 9, { text: Array.from({ length: 8 }, pick).join(' ') }));
    const prior = Float64Array.from(posts, () => 0.5 + rng.next());
    const vocab = new Vocabulary();
    const bags = vocab.bagsOf(posts);
    const exact = new ContentIndex(vocab, bags, prior, { budget: 1e9, shortlist: 1e6 });
    const bounded = new ContentIndex(vocab, bags, prior, { budget: 256, shortlist: 16 });
    const ties = Int32Array.from(posts, (_, i) => i);
    let hits = 0;
    for (let user = 0; user < 20; user++) {
      const profile = vocab.bagOf(Array.from({ length: 6 }, pick).join(' '));
      const top = (index: ContentIndex): number[] => {
        const best = new TopK(10);
        index.match(index.queryOf(profile, []), [], null, best, ties);
        return best.drain();
      };
      const truth = new Set(top(exact));
      hits += top(bounded).filter((d) => truth.has(d)).length;
    }
    expect(hits / 200).toBeGreaterThan(0.9);
  });
});
