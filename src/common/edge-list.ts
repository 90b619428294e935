/**
 * Directed edges (follower → followee) in two growable Int32Arrays. A million-agent follow
 * graph has some twelve million edges: as [a, b] arrays they are twelve million objects the
 * garbage collector walks on every full collection (most of a large setup's time went there);
 * here they are two flat buffers it never looks into.
 */
export class EdgeList {
  private tails: Int32Array;
  private heads: Int32Array;
  private count = 0;

  constructor(capacity = 16) {
    this.tails = new Int32Array(Math.max(1, capacity));
    this.heads = new Int32Array(Math.max(1, capacity));
  }

  static of(pairs: Iterable<readonly [number, number]>): EdgeList {
    const out = new EdgeList();
    for (const [a, b] of pairs) out.push(a, b);
    return out;
  }

  get length(): number {
    return this.count;
  }

  push(from: number, to: number): void {
    if (this.count === this.tails.length) {
      const size = this.count * 2;
      const tails = new Int32Array(size);
      tails.set(this.tails);
      this.tails = tails;
      const heads = new Int32Array(size);
      heads.set(this.heads);
      this.heads = heads;
    }
    this.tails[this.count] = from;
    this.heads[this.count++] = to;
  }

  from(i: number): number {
    return this.tails[i]!;
  }

  to(i: number): number {
    return this.heads[i]!;
  }

  /** The followers of edges [start, end), a view (no copy). */
  fromColumn(start = 0, end = this.count): Int32Array {
    return this.tails.subarray(start, end);
  }

  toColumn(start = 0, end = this.count): Int32Array {
    return this.heads.subarray(start, end);
  }

  toArray(): [number, number][] {
    const out: [number, number][] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = [this.tails[i]!, this.heads[i]!];
    return out;
  }
}
