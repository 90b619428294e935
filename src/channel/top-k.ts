/**
 * The best `limit` (id, score) pairs offered, for search and trends: higher score first, ties
 * to the higher (newer) id. A min-heap whose root is the k-th best, so an offer that cannot
 * enter costs one comparison, and a caller can ask `admits` before a costly check.
 */
export class TopIds {
  private readonly ids: Float64Array;
  private readonly scores: Float64Array;
  private size = 0;

  constructor(private readonly limit: number) {
    this.ids = new Float64Array(Math.max(0, limit));
    this.scores = new Float64Array(Math.max(0, limit));
  }

  get full(): boolean {
    return this.size >= this.limit;
  }

  /** The k-th best score, or -∞ while fewer than k are held. */
  get threshold(): number {
    return this.full ? (this.limit > 0 ? this.scores[0]! : Infinity) : -Infinity;
  }

  /** Whether (id, score) would enter. */
  admits(id: number, score: number): boolean {
    return !this.full || (this.limit > 0 && below(this.scores[0]!, this.ids[0]!, score, id));
  }

  /** Offers (id, score); it enters when `admits` says so, dropping the k-th best when k are held. */
  offer(id: number, score: number): void {
    if (!this.admits(id, score)) return;
    const { ids, scores } = this;
    let i: number;
    if (this.size < this.limit) {
      for (i = this.size++; i > 0; ) {
        const up = (i - 1) >> 1;
        if (!below(score, id, scores[up]!, ids[up]!)) break;
        ids[i] = ids[up]!;
        scores[i] = scores[up]!;
        i = up;
      }
    } else {
      for (i = 0; ; ) {
        let c = i * 2 + 1;
        if (c >= this.size) break;
        if (c + 1 < this.size && below(scores[c + 1]!, ids[c + 1]!, scores[c]!, ids[c]!)) c++;
        if (!below(scores[c]!, ids[c]!, score, id)) break;
        ids[i] = ids[c]!;
        scores[i] = scores[c]!;
        i = c;
      }
    }
    ids[i] = id;
    scores[i] = score;
  }

  /** Held ids, best first. */
  ranked(): number[] {
    const idx = Array.from({ length: this.size }, (_, i) => i);
    idx.sort((a, b) => (below(this.scores[a]!, this.ids[a]!, this.scores[b]!, this.ids[b]!) ? 1 : -1));
    return idx.map((i) => this.ids[i]!);
  }
}

/** Whether (s1, id1) ranks below (s2, id2): a lower score, or the same score and a lower id. */
function below(s1: number, id1: number, s2: number, id2: number): boolean {
  return s1 < s2 || (s1 === s2 && id1 < id2);
}
