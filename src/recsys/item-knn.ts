import type { Interactions } from '../channel/snapshot.js';
import type { Candidates } from './candidates.js';
import { kthLargest } from './top-k.js';

/**
 * Engaged posts per user that count, its most recent (highest ids) kept: a user who liked
 * ten thousand posts would otherwise add 10⁸ co-occurring pairs on its own. Both the
 * similarities and the user's own scoring read this capped history.
 */
export const HISTORY_CAP = 200;

/**
 * Item-to-item neighbours from the agents' likes and reposts (one engagement per user and
 * post, whatever its kind): cosine similarity of two posts' sets of engaging users,
 * co(i, j) / √(n_i · n_j), with each post keeping its `neighbors` most similar candidates.
 * Only candidates are ever neighbours (nothing else can be recommended), but any post in a
 * history, even one that left the window, has neighbours.
 */
export class ItemNeighbours {
  /** User → its row; a row's capped history is hist[histStart[row] .. histStart[row + 1]), item indices by ascending post id. */
  private readonly userIndex = new Map<number, number>();
  private readonly histStart: Int32Array;
  private readonly hist: Int32Array;
  /** Item → its neighbours (candidate indices) and similarities, most similar first. */
  private readonly nbrStart: Int32Array;
  private readonly nbrCand: Int32Array;
  private readonly nbrSim: Float64Array;
  private readonly acc: Float64Array;
  private readonly touched: Int32Array;

  constructor(interactions: Interactions, cands: Candidates, neighbors: number) {
    const { users, posts } = interactions;
    // Capped histories: rows are sorted by user then post, so a user's distinct posts are
    // one run each and its most recent are the run's tail.
    const itemOf = new Map<number, number>();
    const itemCand: number[] = [];
    const histStart: number[] = [0];
    const hist = new GrowingArray(Int32Array);
    for (let a = 0; a < users.length; ) {
      const user = users[a]!;
      let b = a;
      while (b < users.length && users[b] === user) b++;
      const distinct: number[] = [];
      for (let k = a; k < b; k++) if (k === a || posts[k] !== posts[k - 1]) distinct.push(posts[k]!);
      for (const post of distinct.slice(-HISTORY_CAP)) {
        let item = itemOf.get(post);
        if (item === undefined) {
          item = itemCand.length;
          itemOf.set(post, item);
          itemCand.push(cands.indexOf(post));
        }
        hist.push(item);
      }
      this.userIndex.set(user, histStart.length - 1);
      histStart.push(hist.length);
      a = b;
    }
    this.histStart = Int32Array.from(histStart);
    this.hist = hist.done();
    const items = itemCand.length;
    const userCount = histStart.length - 1;

    // Per user, the candidates of its history (as candidate indices): the inner loop below.
    const candStart = new Int32Array(userCount + 1);
    const candHistGrowing = new GrowingArray(Int32Array);
    for (let u = 0; u < userCount; u++) {
      for (let k = this.histStart[u]!; k < this.histStart[u + 1]!; k++) {
        const c = itemCand[this.hist[k]!]!;
        if (c >= 0) candHistGrowing.push(c);
      }
      candStart[u + 1] = candHistGrowing.length;
    }
    const candHist = candHistGrowing.done();

    // Users of each item (the transpose), and n_i.
    const usersStart = new Int32Array(items + 1);
    for (let k = 0; k < this.hist.length; k++) usersStart[this.hist[k]! + 1]!++;
    for (let i = 0; i < items; i++) usersStart[i + 1]! += usersStart[i]!;
    const itemUsers = new Int32Array(this.hist.length);
    const fill = usersStart.slice(0, items);
    for (let u = 0; u < userCount; u++) for (let k = this.histStart[u]!; k < this.histStart[u + 1]!; k++) itemUsers[fill[this.hist[k]!]!++] = u;
    // 1/√n of each candidate, n its engaging users.
    const invSqrtN = new Float64Array(cands.posts.length);
    for (let i = 0; i < items; i++) if (itemCand[i]! >= 0) invSqrtN[itemCand[i]!] = 1 / Math.sqrt(usersStart[i + 1]! - usersStart[i]!);

    // One row of the item-item product at a time: for each candidate c co-engaged with the
    // row's item, co(i, c) / √n_c accumulated into a dense array (adding 1/√n_c once per
    // co-engaging user), then the row's best `neighbors`; √n_i is common to the row. A row's
    // neighbours are kept in the (deterministic) order found, not sorted: only the set matters.
    const acc = new Float64Array(cands.posts.length);
    const touched = new Int32Array(cands.posts.length);
    const rowScore = new Float64Array(cands.posts.length);
    const scratch = new Float64Array(cands.posts.length);
    this.nbrStart = new Int32Array(items + 1);
    const nbrCand = new GrowingArray(Int32Array);
    const nbrSim = new GrowingArray(Float64Array);
    for (let i = 0; i < items; i++) {
      const self = itemCand[i]!;
      let n = 0;
      for (let k = usersStart[i]!; k < usersStart[i + 1]!; k++) {
        const u = itemUsers[k]!;
        for (let m = candStart[u]!; m < candStart[u + 1]!; m++) {
          const c = candHist[m]!;
          if (c === self) continue;
          if (acc[c] === 0) touched[n++] = c;
          acc[c]! += invSqrtN[c]!;
        }
      }
      const invSqrtNi = 1 / Math.sqrt(usersStart[i + 1]! - usersStart[i]!);
      for (let k = 0; k < n; k++) {
        const c = touched[k]!;
        rowScore[k] = acc[c]!;
        acc[c] = 0;
      }
      if (n <= neighbors) {
        for (let k = 0; k < n; k++) {
          nbrCand.push(touched[k]!);
          nbrSim.push(rowScore[k]! * invSqrtNi);
        }
      } else {
        // Keep the `neighbors` largest: those above the threshold, then of those equal to it
        // the newest (the rule TopK follows), each in the order found.
        scratch.set(rowScore.subarray(0, n));
        const threshold = kthLargest(scratch, n, neighbors);
        let above = 0;
        let tied = 0;
        for (let k = 0; k < n; k++) {
          if (rowScore[k]! > threshold) above++;
          else if (rowScore[k] === threshold) scratch[tied++] = cands.newer[touched[k]!]!;
        }
        const newestTied = tied > neighbors - above ? kthLargest(scratch, tied, neighbors - above) : -1;
        for (let k = 0; k < n; k++) {
          const s = rowScore[k]!;
          const c = touched[k]!;
          if (s > threshold || (s === threshold && cands.newer[c]! >= newestTied)) {
            nbrCand.push(c);
            nbrSim.push(s * invSqrtNi);
          }
        }
      }
      this.nbrStart[i + 1] = nbrCand.length;
    }
    this.nbrCand = nbrCand.done();
    this.nbrSim = nbrSim.done();
    this.acc = new Float64Array(cands.posts.length);
    this.touched = touched;
  }

  /**
   * Calls `visit` once per candidate neighbouring the user's history, with its score: the
   * sum over the history's posts of their similarity to it (0 where it is not among a
   * post's `neighbors`). Nothing for a user without history.
   */
  match(user: number, visit: (cand: number, score: number) => void): void {
    const u = this.userIndex.get(user);
    if (u === undefined) return;
    const { acc, touched, nbrStart, nbrCand, nbrSim } = this;
    let n = 0;
    for (let k = this.histStart[u]!; k < this.histStart[u + 1]!; k++) {
      const item = this.hist[k]!;
      for (let m = nbrStart[item]!; m < nbrStart[item + 1]!; m++) {
        const c = nbrCand[m]!;
        if (acc[c] === 0) touched[n++] = c;
        acc[c]! += nbrSim[m]!;
      }
    }
    for (let k = 0; k < n; k++) {
      const c = touched[k]!;
      visit(c, acc[c]!);
      acc[c] = 0;
    }
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
    if (this.length === this.data.length) {
      const bigger = new this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}
