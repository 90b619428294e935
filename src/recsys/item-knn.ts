import type { Interactions } from '../channel/snapshot.js';
import type { Candidates } from './candidates.js';
import { SparseAccumulator } from './accumulator.js';
import { kthLargest, offerAccepted, type TopK } from '../common/top-k.js';

/**
 * Engaged posts per user that count, its most recent (highest ids) kept: a user who liked
 * ten thousand posts would otherwise add 10⁸ co-occurring pairs on its own. Both the
 * similarities and the user's own scoring read this capped history.
 */
export const HISTORY_CAP = 64;

/**
 * Item-to-item neighbours from the agents' likes and reposts (one engagement per user and
 * post, whatever its kind): cosine similarity of two posts' sets of engaging users,
 * co(i, j) / √(n_i · n_j), with each post keeping its `neighbors` most similar candidates.
 * Only candidates are ever neighbours (nothing else can be recommended), but any post in a
 * history, even one that left the window, has neighbours.
 *
 * Items (the posts in some capped history) are numbered engaged candidates first, most
 * engaged then newest first, then the posts that left the window: "is a candidate" is then
 * `item < slots`, and the item order is the tie-break between equally similar neighbours.
 * Sums over a row or a user's history go to a hash table sized to it (`SparseAccumulator`):
 * a dense array over a million candidates would cost a cache miss per addition.
 */
export class ItemNeighbours {
  /** User → its row: its capped history is hist[histStart[row] .. histStart[row + 1]), as items, newest first. */
  private readonly userRow = new Map<number, number>();
  private readonly histStart: Int32Array;
  private readonly hist: Int32Array;
  /** Items below this are candidates; candidate index of item i < slots: candOf[i]. */
  private readonly slots: number;
  private readonly candOf: Int32Array;
  /** Recency rank of each candidate item (the tie-break). */
  private readonly newerOf: Int32Array;
  /** Item → its neighbours (candidate items) and similarities. */
  private readonly nbrStart: Int32Array;
  private readonly nbrItem: Int32Array;
  private readonly nbrSim: Float64Array;
  private readonly row: SparseAccumulator;
  private readonly scratch: Float64Array;

  constructor(interactions: Interactions, cands: Candidates, neighbors: number) {
    const { users, posts } = interactions;
    // Capped histories, read backwards from each user's most recent post. A post is known
    // by its candidate index, or past those for a post that left the window. Rows are
    // sorted by user then post, so a user's distinct posts are one run.
    const nCands = cands.posts.length;
    const pastId = new Map<number, number>();
    const histStart = new GrowingArray(Int32Array);
    histStart.push(0);
    const byId = new GrowingArray(Int32Array);
    for (let a = 0; a < users.length; ) {
      const user = users[a]!;
      let b = a;
      while (b < users.length && users[b] === user) b++;
      let taken = 0;
      for (let k = b - 1; k >= a && taken < HISTORY_CAP; k--) {
        const post = posts[k]!;
        if (k < b - 1 && post === posts[k + 1]) continue;
        let id = cands.indexOf(post);
        if (id < 0) {
          id = pastId.get(post) ?? nCands + pastId.size;
          pastId.set(post, id);
        }
        byId.push(id);
        taken++;
      }
      this.userRow.set(user, histStart.length - 1);
      histStart.push(byId.length);
      a = b;
    }
    this.histStart = histStart.done();
    const userCount = this.histStart.length - 1;
    const ids = byId.done();
    const engagers = new Int32Array(nCands + pastId.size);
    for (const id of ids) engagers[id]!++;

    // Items: engaged candidates by engagers, then recency (both descending; a counting sort),
    // then the posts that left the window.
    let maxEngagers = 0;
    for (let c = 0; c < nCands; c++) maxEngagers = Math.max(maxEngagers, engagers[c]!);
    const bucket = new Int32Array(maxEngagers + 2);
    for (let c = 0; c < nCands; c++) if (engagers[c]! > 0) bucket[maxEngagers - engagers[c]! + 1]!++;
    for (let e = 1; e < bucket.length; e++) bucket[e]! += bucket[e - 1]!;
    const slots = bucket[maxEngagers + 1]!;
    const byNewer = new Int32Array(nCands);
    for (let c = 0; c < nCands; c++) byNewer[cands.newer[c]!] = c;
    const itemOf = new Int32Array(engagers.length);
    for (let r = nCands - 1; r >= 0; r--) {
      const c = byNewer[r]!;
      if (engagers[c]! > 0) itemOf[c] = bucket[maxEngagers - engagers[c]!]!++;
    }
    for (let id = nCands; id < engagers.length; id++) itemOf[id] = slots + id - nCands;
    const items = slots + pastId.size;
    this.slots = slots;
    this.candOf = new Int32Array(slots);
    const n = new Int32Array(items);
    for (let id = 0; id < engagers.length; id++) {
      if (engagers[id] === 0) continue;
      if (id < nCands) this.candOf[itemOf[id]!] = id;
      n[itemOf[id]!] = engagers[id]!;
    }
    this.newerOf = Int32Array.from(this.candOf, (c) => cands.newer[c]!);
    this.hist = Int32Array.from(ids, (id) => itemOf[id]!);

    // Per user, the candidate items of its history and their 1/√n: the inner loop below
    // reads both in sequence, where looking 1/√n up would be a cache miss per pair.
    const invSqrtN = Float64Array.from(n.subarray(0, slots), (m) => 1 / Math.sqrt(m));
    const candStart = new Int32Array(userCount + 1);
    let candCount = 0;
    for (let k = 0; k < this.hist.length; k++) if (this.hist[k]! < slots) candCount++;
    const candHist = new Int32Array(candCount);
    const candWeight = new Float64Array(candCount);
    for (let u = 0, h = 0; u < userCount; u++) {
      for (let k = this.histStart[u]!; k < this.histStart[u + 1]!; k++) {
        const item = this.hist[k]!;
        if (item >= slots) continue;
        candHist[h] = item;
        candWeight[h++] = invSqrtN[item]!;
      }
      candStart[u + 1] = h;
    }

    // Users of each item (the transpose).
    const usersStart = new Int32Array(items + 1);
    for (let i = 0; i < items; i++) usersStart[i + 1] = usersStart[i]! + n[i]!;
    const itemUsers = new Int32Array(this.hist.length);
    const fill = usersStart.slice(0, items);
    for (let u = 0; u < userCount; u++) for (let k = this.histStart[u]!; k < this.histStart[u + 1]!; k++) itemUsers[fill[this.hist[k]!]!++] = u;

    // One row of the item-item product at a time: co(i, c) / √n_c for each candidate c
    // co-engaged with the row's item (1/√n_c added once per co-engaging user), summed in a
    // SparseAccumulator, then cut to the row's best `neighbors` (√n_i is common to
    // the row). Equal similarities go to the lower item: more engaged, then newer. A row's
    // neighbours are kept in the (deterministic) order found, not sorted: only the set matters.
    const row = (this.row = new SparseAccumulator(slots));
    const scratch = (this.scratch = new Float64Array(slots));
    // Pairs per row (co-engagements counted with repeats): bounds the row's distinct keys,
    // and the rows' neighbour lists together, so those are allocated once.
    const pairs = new Int32Array(items);
    let bound = 0;
    for (let i = 0; i < items; i++) {
      for (let k = usersStart[i]!; k < usersStart[i + 1]!; k++) pairs[i]! += candStart[itemUsers[k]! + 1]! - candStart[itemUsers[k]!]!;
      bound += Math.min(pairs[i]!, neighbors);
    }
    this.nbrStart = new Int32Array(items + 1);
    const nbrItem = new Int32Array(bound);
    const nbrSim = new Float64Array(bound);
    let stored = 0;
    for (let i = 0; i < items; i++) {
      row.begin(Math.min(pairs[i]!, slots));
      for (let k = usersStart[i]!; k < usersStart[i + 1]!; k++) {
        const u = itemUsers[k]!;
        for (let h = candStart[u]!; h < candStart[u + 1]!; h++) if (candHist[h] !== i) row.add(candHist[h]!, candWeight[h]!);
      }
      const m = row.end();
      const found = row.keys;
      const score = row.values;
      // All of them, or those above the `neighbors`-th largest and, of those equal to it,
      // the lowest items.
      let threshold = 0;
      let lastTied = slots;
      if (m > neighbors) {
        scratch.set(score.subarray(0, m));
        threshold = kthLargest(scratch, m, neighbors);
        let above = 0;
        let tied = 0;
        for (let k = 0; k < m; k++) {
          if (score[k]! > threshold) above++;
          else if (score[k] === threshold) scratch[tied++] = -found[k]!;
        }
        if (tied > neighbors - above) lastTied = -kthLargest(scratch, tied, neighbors - above);
      }
      const invSqrtNi = 1 / Math.sqrt(n[i]!);
      for (let k = 0; k < m; k++) {
        const s = score[k]!;
        if (s > threshold || (s === threshold && found[k]! <= lastTied)) {
          nbrItem[stored] = found[k]!;
          nbrSim[stored++] = s * invSqrtNi;
        }
      }
      this.nbrStart[i + 1] = stored;
    }
    this.nbrItem = nbrItem.subarray(0, stored);
    this.nbrSim = nbrSim.subarray(0, stored);
  }

  /**
   * Fills `best` with the user's best candidates that `accept` (given a candidate index)
   * lets through, as items (see `candidate`). A candidate's score: the sum, over the posts
   * of the user's history, of their similarity to it (0 where it is not among a post's
   * `neighbors`); ties to the newer. Nothing for a user without history.
   */
  match(user: number, accept: (cand: number) => boolean, best: TopK): void {
    const row = this.userRow.get(user);
    if (row === undefined) return;
    const { row: acc, nbrStart, nbrItem } = this;
    let pairs = 0;
    for (let k = this.histStart[row]!; k < this.histStart[row + 1]!; k++) pairs += nbrStart[this.hist[k]! + 1]! - nbrStart[this.hist[k]!]!;
    acc.begin(Math.min(pairs + this.histStart[row + 1]! - this.histStart[row]!, this.slots));
    // The user's own history is what its neighbours resemble most, and it may not be shown:
    // its candidates start at −∞ rather than crowd the top for `accept` to turn down.
    for (let k = this.histStart[row]!; k < this.histStart[row + 1]!; k++) if (this.hist[k]! < this.slots) acc.add(this.hist[k]!, -Infinity);
    for (let k = this.histStart[row]!; k < this.histStart[row + 1]!; k++) {
      const item = this.hist[k]!;
      for (let j = nbrStart[item]!; j < nbrStart[item + 1]!; j++) acc.add(nbrItem[j]!, this.nbrSim[j]!);
    }
    const m = acc.end();
    offerAccepted(best, acc.keys, acc.values, m, this.newerOf, (item) => accept(this.candOf[item]!), this.scratch);
  }

  /** The candidate index of a candidate item (as `match` puts in `best`). */
  candidate(item: number): number {
    return this.candOf[item]!;
  }
}

/** An append-only typed array that doubles as it fills: no boxed JS array for millions of entries. */
class GrowingArray<T extends Int32Array | Float64Array> {
  private data: T;
  length = 0;

  constructor(private readonly make: new (n: number) => T) {
    this.data = new make(1024);
  }

  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }

  private grow(atLeast: number): void {
    let size = this.data.length * 2;
    while (size < atLeast) size *= 2;
    const bigger = new this.make(size);
    bigger.set(this.data);
    this.data = bigger;
  }

  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}
