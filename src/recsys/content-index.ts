import { idfWeight, tfWeight, type Bag, type Bags, type Vocabulary } from './tfidf.js';
import { SparseAccumulator } from './accumulator.js';
import { kthLargest, TopK } from '../common/top-k.js';

/** Most weighty terms of a user's query kept: a heavy liker's query stays short. */
export const MAX_QUERY_TERMS = 32;

/**
 * Postings a user's match reads at most (see `ContentIndex`): the work per user is bounded
 * whatever the vocabulary and the number of candidates.
 */
export const MATCH_BUDGET = 1024;

/**
 * Candidates rescored exactly per user, as a multiple of the feed size (see `match`). On the
 * bench's templated texts (many near-ties, the hard case) feeds of 20 keep 97.8% of the exact
 * top feed's score mass with these two limits and feeds of 10 96.4% (`bench/content-match.ts`
 * prints the figures per budget); rescoring reads each shortlisted candidate's vector, a cache
 * miss at a million.
 */
export const SHORTLIST = 8;

export interface MatchLimits {
  readonly budget: number;
  readonly shortlist: number;
}

/** A user's interests as a unit TF-IDF vector: parallel terms and weights, heaviest first. */
export interface Query {
  readonly terms: Int32Array;
  readonly weights: Float64Array;
}

/**
 * The candidates' TF-IDF vectors, twice: as an impact-ordered inverted index (for each term,
 * the candidates holding it, best "impact" first, the impact being the normalised weight
 * times a per-candidate prior such as recency) to find candidates, and as forward vectors
 * (each candidate's own terms) to score them. A user touches only candidates that share a
 * term with its query, instead of taking a dot product with every candidate.
 *
 * A common term (a big topic's hashtag) would still make every user walk tens of thousands
 * of postings, so `match` reads only the query's largest contributions (query weight ×
 * impact) across its terms, between half a budget and a budget of them, as impact-ordered
 * indexes stop early ("score-at-a-time", Anh & Moffat); it then rescores exactly, from their
 * forward vectors, the candidates with the largest partial sums. What is lost is a candidate
 * whose contributions read were too few to shortlist it; the ones that make a feed have
 * large contributions, read first.
 */
export class ContentIndex {
  /** By term id; 0 for terms no candidate holds (or every candidate holds). */
  readonly idf: Float64Array;
  private readonly start: Int32Array;
  private readonly docs: Int32Array;
  private readonly impacts: Float64Array;
  /**
   * The forward vectors: candidate i's weighted terms and their impacts, interleaved, in
   * forward[forwardStart[i] .. forwardStart[i + 1]), in text order. One array, so scoring a
   * candidate reads a few adjacent cache lines.
   */
  private readonly forwardStart: Int32Array;
  private readonly forward: Float64Array;
  /** The query being matched, by term id (0 elsewhere). */
  private readonly queryWeight: Float64Array;
  private readonly sums: SparseAccumulator;
  private scratch = new Float64Array(1024);
  private seenFlags = new Uint8Array(1024);
  private readonly queryCounts: Float64Array;
  /** The query's distinct terms so far, while `queryOf` counts them. */
  private readonly seen: Int32Array;
  private readonly queryTop = new TopK(MAX_QUERY_TERMS);
  private readonly cut = new Int32Array(MAX_QUERY_TERMS);

  constructor(
    private readonly vocab: Vocabulary,
    private readonly bags: Bags,
    prior: Float64Array,
    private readonly limits: MatchLimits = { budget: MATCH_BUDGET, shortlist: SHORTLIST },
  ) {
    const n = bags.start.length - 1;
    const terms = vocab.size;
    const { start: bagStart, data } = bags;
    const df = new Int32Array(terms);
    for (let k = 0; k < data.length; k += 2) df[data[k]!]!++;
    this.idf = Float64Array.from(df, (d) => idfWeight(n, d));

    // Forward vectors first: weights, norms, impacts.
    const count = new Int32Array(terms);
    const weights = new Float64Array(data.length >> 1);
    const scale = new Float64Array(n);
    this.forwardStart = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      let sq = 0;
      let kept = 0;
      for (let k = bagStart[i]!; k < bagStart[i + 1]!; k += 2) {
        const w = (weights[k >> 1] = tfWeight(data[k + 1]!) * this.idf[data[k]!]!);
        sq += w * w;
        if (w > 0 && prior[i]! > 0) {
          count[data[k]!]!++;
          kept++;
        }
      }
      scale[i] = sq > 0 ? prior[i]! / Math.sqrt(sq) : 0;
      this.forwardStart[i + 1] = this.forwardStart[i]! + 2 * kept;
    }
    const forward = (this.forward = new Float64Array(this.forwardStart[n]!));
    for (let i = 0, f = 0; i < n; i++) {
      if (scale[i] === 0) continue;
      for (let k = bagStart[i]!; k < bagStart[i + 1]!; k += 2) {
        const w = weights[k >> 1]!;
        if (w <= 0) continue;
        forward[f++] = data[k]!;
        forward[f++] = w * scale[i]!;
      }
    }

    // Then postings, by a counting sort on term over the candidates taken in decreasing
    // prior / norm: a term's impacts differ only by that factor and the term's frequency in
    // the text, so its list comes out sorted unless some text repeats the term.
    const byScale = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scale[b]! - scale[a]! || b - a);
    const fullStart = new Int32Array(terms + 1);
    for (let t = 0; t < terms; t++) fullStart[t + 1] = fullStart[t]! + count[t]!;
    const fill = fullStart.slice(0, terms);
    const docs = new Int32Array(fullStart[terms]!);
    const impacts = new Float64Array(fullStart[terms]!);
    for (const i of byScale) {
      for (let f = this.forwardStart[i]!; f < this.forwardStart[i + 1]!; f += 2) {
        const t = forward[f]!;
        docs[fill[t]!] = i;
        impacts[fill[t]!++] = forward[f + 1]!;
      }
    }
    // Each list in (impact, candidate) order, descending (equal impacts: the later, newer
    // candidate first), cut to `budget`, more than any user reads of it, and moved down to `out`
    // (never past the list's start).
    this.start = new Int32Array(terms + 1);
    const best = new TopK(limits.budget);
    let out = 0;
    for (let t = 0; t < terms; t++) {
      this.start[t] = out;
      const from = fullStart[t]!;
      const to = fullStart[t + 1]!;
      let sorted = true;
      for (let k = from + 1; k < to && sorted; k++) sorted = impacts[k - 1]! > impacts[k]! || (impacts[k - 1] === impacts[k] && docs[k - 1]! > docs[k]!);
      if (sorted) {
        const end = Math.min(to, from + limits.budget);
        docs.copyWithin(out, from, end);
        impacts.copyWithin(out, from, end);
        out += end - from;
        continue;
      }
      for (let k = from; k < to; k++) best.offer(k, impacts[k]!, docs[k]!);
      // Read out before writing: the kept prefix may reach into this list.
      const kept = best.drain();
      const keptDocs = kept.map((k) => docs[k]!);
      const keptImpacts = kept.map((k) => impacts[k]!);
      docs.set(keptDocs, out);
      impacts.set(keptImpacts, out);
      out += kept.length;
    }
    this.start[terms] = out;
    this.docs = docs.slice(0, out);
    this.impacts = impacts.slice(0, out);
    this.queryWeight = new Float64Array(terms);
    this.sums = new SparseAccumulator(n);
    this.queryCounts = new Float64Array(terms);
    this.seen = new Int32Array(terms);
  }

  /**
   * The TF-IDF unit vector of a profile and some candidates' texts read as one document,
   * keeping its MAX_QUERY_TERMS weightiest terms (ties by the term's hash). Empty when it
   * shares no weighted term with the candidates.
   */
  queryOf(profile: Bag, candidates: Iterable<number>): Query {
    const { idf, queryCounts, seen } = this;
    let distinct = 0;
    const add = (t: number, n: number): void => {
      if (t >= idf.length || idf[t] === 0) return;
      if (queryCounts[t] === 0) seen[distinct++] = t;
      queryCounts[t]! += n;
    };
    for (let k = 0; k < profile.length; k += 2) add(profile[k]!, profile[k + 1]!);
    const { start, data } = this.bags;
    for (const i of candidates) for (let k = start[i]!; k < start[i + 1]!; k += 2) add(data[k]!, data[k + 1]!);

    const top = this.queryTop;
    for (let j = 0; j < distinct; j++) {
      const t = seen[j]!;
      top.offer(t, tfWeight(queryCounts[t]!) * idf[t]!, this.vocab.key(t));
      queryCounts[t] = 0;
    }
    const size = top.size;
    const terms = new Int32Array(size);
    const weights = new Float64Array(size);
    top.drainInto(terms, weights);
    let sq = 0;
    for (let q = 0; q < size; q++) sq += weights[q]! * weights[q]!;
    for (let q = 0; q < size; q++) weights[q]! /= Math.sqrt(sq);
    return { terms, weights };
  }

  /**
   * Fills `best` with the user's best candidates, not `blocked` and let through by `accept`
   * (as candidate indices, ties to the higher `tie`), by cosine with the query × prior. The
   * query's largest contributions (see `cutAtBudget`) are read and summed per candidate; the
   * candidates with the largest sums are then scored exactly, so a candidate that missed some
   * of its contributions is not ranked by a partial sum: `shortlist` × k accepted ones, the
   * cut on sums doubling until that many are (or none are left). `blocked` (the user's own
   * and engaged posts, the many candidates a user is known to match but cannot be shown) is
   * never summed; `accept` is asked only of candidates within the cut.
   */
  match(query: Query, blocked: readonly number[], accept: ((doc: number) => boolean) | null, best: TopK, tie: Int32Array): void {
    const { sums, start, docs, impacts, cut, queryWeight, forwardStart, forward } = this;
    const read = this.cutAtBudget(query);
    // A blocked candidate starts at −∞ and so stays below any cut.
    sums.begin(read + blocked.length);
    for (const d of blocked) sums.add(d, -Infinity);
    for (let q = 0; q < query.terms.length; q++) {
      const t = query.terms[q]!;
      const w = query.weights[q]!;
      queryWeight[t] = w;
      for (let k = start[t]!, end = start[t]! + cut[q]!; k < end; k++) sums.add(docs[k]!, w * impacts[k]!);
    }
    const n = sums.end();
    const found = sums.keys;
    const partial = sums.values;
    const seen = this.considered(n);
    const want = this.limits.shortlist * best.k;
    let accepted = 0;
    for (let take = want; ; take *= 2) {
      // This round's cut: the take-th largest sum; equal ones in the order met, up to take.
      let threshold = -Infinity;
      if (n > take) {
        const scratch = this.scratchOf(n);
        scratch.set(partial.subarray(0, n));
        threshold = kthLargest(scratch, n, take);
      }
      let listed = 0;
      for (let k = 0; k < n; k++) {
        const p = partial[k]!;
        if (p < threshold || p === -Infinity || (p === threshold && listed >= take)) continue;
        listed++;
        if (seen[k] === 1) continue;
        seen[k] = 1;
        const d = found[k]!;
        if (accept !== null && !accept(d)) continue;
        accepted++;
        // The exact dot product, in the candidate's text order of terms.
        let dot = 0;
        for (let j = forwardStart[d]!; j < forwardStart[d + 1]!; j += 2) dot += queryWeight[forward[j]!]! * forward[j + 1]!;
        best.offer(d, dot, tie[d]!);
      }
      if (accepted >= want || take >= n) break;
    }
    seen.fill(0, 0, n);
    for (let q = 0; q < query.terms.length; q++) queryWeight[query.terms[q]!] = 0;
  }

  private considered(n: number): Uint8Array {
    if (this.seenFlags.length < n) this.seenFlags = new Uint8Array(2 * n);
    return this.seenFlags;
  }

  private scratchOf(n: number): Float64Array {
    if (this.scratch.length < n) this.scratch = new Float64Array(2 * n);
    return this.scratch;
  }

  /**
   * Sets `cut[q]`, the postings read of each query term: all contributions ≥ τ, with τ the
   * lowest threshold (found by bisection) that keeps their number within the budget; returns
   * how many that is.
   */
  private cutAtBudget(query: Query): number {
    const { start, impacts, cut } = this;
    const budget = this.limits.budget;
    const terms = query.terms.length;
    let total = 0;
    let hi = 0;
    for (let q = 0; q < terms; q++) {
      const t = query.terms[q]!;
      const len = start[t + 1]! - start[t]!;
      cut[q] = len;
      total += len;
      if (len > 0) hi = Math.max(hi, query.weights[q]! * impacts[start[t]!]!);
    }
    if (total <= budget) return total;
    // count(τ) falls as τ rises; keep `hi` a threshold within budget, `lo` one over it.
    let lo = 0;
    if (this.count(query, hi) > budget) {
      // More than a budget of postings tie for the top: read the budget, terms in order.
      let left = budget;
      for (let q = 0; q < terms; q++) left -= cut[q] = Math.min(cut[q]!, left);
      return budget;
    }
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2;
      if (mid <= lo || mid >= hi) break;
      const c = this.count(query, mid);
      if (c > budget) lo = mid;
      else {
        hi = mid;
        if (c >= budget / 2) break;
      }
    }
    return this.count(query, hi);
  }

  /** Postings with contribution ≥ τ, summed over the query's terms; leaves each term's in `cut`. */
  private count(query: Query, tau: number): number {
    const { start, impacts, cut } = this;
    let total = 0;
    for (let q = 0; q < query.terms.length; q++) {
      const t = query.terms[q]!;
      const w = query.weights[q]!;
      // Lists are sorted by impact, descending: binary search for the first below τ.
      let a = start[t]!;
      let b = start[t + 1]!;
      while (a < b) {
        const mid = (a + b) >> 1;
        if (w * impacts[mid]! >= tau) a = mid + 1;
        else b = mid;
      }
      cut[q] = a - start[t]!;
      total += cut[q]!;
    }
    return total;
  }
}
