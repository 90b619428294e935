/**
 * Sparse TF-IDF vectors of a set of documents, for the text analyses. Tokens are the search
 * index's (lower-case words, and each #tag both as its word and as `#tag`), weights the
 * recommenders' (sublinear tf × smoothed idf over the documents given), L2-normalised so a dot
 * product is a cosine.
 */
import { tokenize } from '../channel/search-index.js';
import { idfWeight, tfWeight } from '../recsys/tfidf.js';

export type SparseVector = ReadonlyMap<string, number>;

function counts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of tokenize(text)) out.set(t, (out.get(t) ?? 0) + 1);
  return out;
}

/** The documents' vectors, in their order, with idf over these documents. */
export function tfidfVectors(docs: readonly string[]): SparseVector[] {
  const bags = docs.map(counts);
  const df = new Map<string, number>();
  for (const bag of bags) for (const t of bag.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  return bags.map((bag) => {
    const v = new Map<string, number>();
    let norm = 0;
    for (const [t, n] of bag) {
      const w = tfWeight(n) * idfWeight(docs.length, df.get(t)!);
      if (w > 0) {
        v.set(t, w);
        norm += w * w;
      }
    }
    norm = Math.sqrt(norm);
    for (const [t, w] of v) v.set(t, w / norm);
    return v;
  });
}

/** Dot product (a cosine for normalised vectors); 0 when either is empty. */
export function dot(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [t, w] of small) s += w * (large.get(t) ?? 0);
  return s;
}

/** `into += v`. */
export function addInto(into: Map<string, number>, v: SparseVector): void {
  for (const [t, w] of v) into.set(t, (into.get(t) ?? 0) + w);
}

/** `v / |v|` (an empty or zero vector stays as it is). */
export function normalised(v: ReadonlyMap<string, number>): Map<string, number> {
  let norm = 0;
  for (const w of v.values()) norm += w * w;
  norm = Math.sqrt(norm);
  return new Map([...v].map(([t, w]) => [t, norm > 0 ? w / norm : w]));
}
