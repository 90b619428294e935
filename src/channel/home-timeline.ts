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

/** A followee's post as the home timeline shows it: what it shares, and through which repost. */
interface Shared {
  readonly id: number;
  readonly view: PostView;
  readonly viaPostId: number | null;
}

/** A followee's shareable posts as a cursor from the newest backwards. */
interface Cursor {
  readonly followee: number;
  readonly posts: readonly Shared[];
  at: number;
}

export class HomeTimeline {
  /** Per followee, its posts of the window that can show, newest first: many followers share a followee. */
  private readonly shareable = new Map<number, readonly Shared[]>();

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
   * reposted (as the mirror holds them: call before the step's actions apply), a post by (or shared by) an account it muted, or one post twice (a post two
   * followees shared shows through the newer repost).
   */
  of(user: number, k: number): HomeEntry[] {
    if (k <= 0) return [];
    const { state } = this;
    const muted = state.mutesOf(user);
    const liked = state.likesOf(user);
    const reposted = state.repostsOf(user);
    const heap: Cursor[] = [];
    for (const followee of state.followeesOf(user)) {
      if (muted.has(followee) || state.suspended.has(followee)) continue;
      const posts = this.postsOf(followee);
      if (posts.length > 0) push(heap, { followee, posts, at: 0 });
    }
    const out: HomeEntry[] = [];
    const taken = new Set<number>();
    while (out.length < k && heap.length > 0) {
      const cursor = heap[0]!;
      const post = cursor.posts[cursor.at]!;
      if (++cursor.at >= cursor.posts.length) pop(heap);
      else siftDown(heap, 0);
      const shared = post.view.postId;
      if (taken.has(shared) || liked.has(shared) || reposted.has(shared) || post.view.authorId === user || muted.has(post.view.authorId)) continue;
      taken.add(shared);
      out.push({ post: post.view, viaPostId: post.viaPostId, followee: cursor.followee });
    }
    return out;
  }

  /** A followee's live posts and reposts of the window whose shared post can be shown, newest first. */
  private postsOf(followee: number): readonly Shared[] {
    let out = this.shareable.get(followee);
    if (out) return out;
    const ids = this.state.postIdsOf(followee);
    const list: Shared[] = [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const id = ids[i]!;
      const p = this.state.posts.get(id);
      if (!p || p.createdStep < this.fromStep) break;
      if (p.deleted || p.flagged || p.kind === 'comment') continue;
      const view = this.viewOf(p.kind === 'repost' ? (p.parentId ?? -1) : id);
      if (view) list.push({ id, view, viaPostId: p.kind === 'repost' ? id : null });
    }
    this.shareable.set(followee, (out = list));
    return out;
  }
}

/** A max-heap of cursors by the id they point at: the newest post of all followees on top. */
const head = (c: Cursor): number => c.posts[c.at]!.id;

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
