/**
 * The home timeline: the newest posts of the accounts a user follows — their originals and
 * quotes, and the posts they reposted, shown through that repost — reverse-chronological. On
 * real platforms followers see followed accounts' posts whatever the ranking; this is how a
 * post travels along the follow graph, repost by repost, and what makes a repost cascade.
 */
import type { ChannelDb } from './db.js';
import type { ChannelSnapshot, PostView } from './snapshot.js';
import type { ChannelState } from './state.js';

export interface HomeEntry {
  /** The post shown: for a followee's repost, the post it shares. */
  readonly post: PostView;
  /** The followee's repost it came through; null when the followee wrote the post. */
  readonly viaPostId: number | null;
  /** The followee whose post or repost put it here. */
  readonly followee: number;
}

/** A followee's posts as a cursor from its newest backwards (ids ascend with time). */
interface Cursor {
  readonly followee: number;
  readonly ids: readonly number[];
  /** Index of the next post to look at; stops below `floor`. */
  at: number;
  readonly floor: number;
}

export class HomeTimeline {
  private constructor(
    private readonly state: ChannelState,
    private readonly fromStep: number,
    /** Views of feed candidates and of older originals reposted inside the window. */
    private readonly viewOf: (postId: number) => PostView | undefined,
  ) {}

  /**
   * The home timelines of a step: posts created at `fromStep` or later (the recommender's
   * window). A repost inside the window may share an older post, which is then shown too: its
   * counts come from one query, since the snapshot holds only the window's candidates.
   */
  static async open(db: ChannelDb, state: ChannelState, snapshot: ChannelSnapshot, fromStep: number): Promise<HomeTimeline> {
    const older = new Map<number, PostView>();
    const reader = await db.connection.runAndReadAll(
      `WITH shared AS (SELECT DISTINCT parent_id AS post_id FROM posts WHERE kind = 'repost' AND created_step >= $1 AND parent_id IS NOT NULL),
            old AS (SELECT s.post_id FROM shared s JOIN posts p USING (post_id) WHERE p.created_step < $1 OR p.kind NOT IN ('original', 'quote'))
       SELECT o.post_id::INTEGER AS id,
              (SELECT count(*) FROM likes l WHERE l.post_id = o.post_id)::INTEGER AS likes,
              (SELECT count(*) FROM reposts r WHERE r.post_id = o.post_id)::INTEGER AS reposts,
              (SELECT count(*) FROM dislikes d WHERE d.post_id = o.post_id)::INTEGER AS dislikes
       FROM old o ORDER BY id`,
      [fromStep],
    );
    const [ids = [], likes = [], reposts = [], dislikes = []] = reader.getColumnsJS() as number[][];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const p = state.posts.get(id);
      if (!p || p.deleted || p.flagged || p.hidden || state.suspended.has(p.author)) continue;
      older.set(id, { postId: id, authorId: p.author, createdStep: p.createdStep, text: p.text, label: p.label, likes: likes[i] as number, reposts: reposts[i] as number, dislikes: dislikes[i] as number });
    }
    return new HomeTimeline(state, fromStep, (id) => snapshot.postsById.get(id) ?? older.get(id));
  }

  /**
   * Up to `k` entries for `user`, newest first, never its own post, a post it already liked or
   * reposted, a post by (or shared by) an account it muted, or one post twice (a post two
   * followees shared shows through the newer repost).
   */
  of(user: number, k: number, engaged: ReadonlySet<number>): HomeEntry[] {
    if (k <= 0) return [];
    const { state } = this;
    const muted = state.mutesOf(user);
    const heap: Cursor[] = [];
    for (const followee of state.followeesOf(user)) {
      if (muted.has(followee) || state.suspended.has(followee)) continue;
      const ids = state.postIdsOf(followee);
      const floor = this.firstInWindow(ids);
      if (floor < ids.length) push(heap, { followee, ids, at: ids.length - 1, floor });
    }
    const out: HomeEntry[] = [];
    const taken = new Set<number>();
    while (out.length < k && heap.length > 0) {
      const cursor = heap[0]!;
      const id = cursor.ids[cursor.at]!;
      if (--cursor.at < cursor.floor) pop(heap);
      else siftDown(heap, 0);
      const p = state.posts.get(id);
      if (!p || p.deleted || p.flagged || p.kind === 'comment') continue;
      const shared = p.kind === 'repost' ? p.parentId : id;
      if (shared === null || taken.has(shared) || engaged.has(shared)) continue;
      const view = this.viewOf(shared);
      if (!view || view.authorId === user || muted.has(view.authorId)) continue;
      taken.add(shared);
      out.push({ post: view, viaPostId: p.kind === 'repost' ? id : null, followee: cursor.followee });
    }
    return out;
  }

  /** Index of the first post created at `fromStep` or later (posts ascend by step). */
  private firstInWindow(ids: readonly number[]): number {
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.state.posts.get(ids[mid]!)?.createdStep ?? 0) < this.fromStep) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A max-heap of cursors by the id they point at: the newest post of all followees on top. */
const head = (c: Cursor): number => c.ids[c.at]!;

function push(heap: Cursor[], c: Cursor): void {
  heap.push(c);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (head(heap[parent]!) >= head(heap[i]!)) break;
    [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
    i = parent;
  }
}

function pop(heap: Cursor[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  heap[0] = last;
  siftDown(heap, 0);
}

function siftDown(heap: Cursor[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let top = i;
    if (l < heap.length && head(heap[l]!) > head(heap[top]!)) top = l;
    if (r < heap.length && head(heap[r]!) > head(heap[top]!)) top = r;
    if (top === i) return;
    [heap[top], heap[i]] = [heap[i]!, heap[top]!];
    i = top;
  }
}
