import { grownInt32 } from '../common/typed-arrays.js';

/**
 * post id → count, for one step's likes and reposts: the posts and their counts in two typed
 * arrays in the order the posts first came, found through an open-addressing hash of their
 * positions. A count that falls to 0 keeps its place (nothing is deleted), so walking a step
 * is a scan of two dense arrays, without the per-entry cost of a Map.
 */
export class PostCounts {
  posts: Int32Array = new Int32Array(8);
  counts: Int32Array = new Int32Array(8);
  size = 0;
  /** Position + 1 of each hashed post, 0 when the slot is empty. */
  private slots = new Int32Array(16);

  add(post: number, by: number): void {
    const i = this.slot(post);
    const at = this.slots[i]!;
    if (at !== 0) {
      this.counts[at - 1]! += by;
      return;
    }
    if (this.size === this.posts.length) {
      this.posts = grownInt32(this.posts);
      this.counts = grownInt32(this.counts);
    }
    this.posts[this.size] = post;
    this.counts[this.size] = by;
    this.size++;
    if (this.size * 2 > this.slots.length) this.rehash();
    else this.slots[i] = this.size;
  }

  get(post: number): number {
    const at = this.slots[this.slot(post)]!;
    return at === 0 ? 0 : this.counts[at - 1]!;
  }

  /** The slot holding `post`, or the empty slot where it would go. */
  private slot(post: number): number {
    const mask = this.slots.length - 1;
    const h = Math.imul(post, 0x9e3779b1);
    let i = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const at = this.slots[i]!;
      if (at === 0 || this.posts[at - 1] === post) return i;
      i = (i + 1) & mask;
    }
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let at = 0; at < this.size; at++) this.slots[this.slot(this.posts[at]!)] = at + 1;
  }
}

