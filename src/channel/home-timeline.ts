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

/**
 * A followee's posts of the window that can show, newest first, as parallel arrays: the post's
 * own id (what orders the timeline), what it shows, and the repost it shows through (NaN: none).
 */
interface Shareable {
  readonly ids: readonly number[];
  readonly views: readonly PostView[];
  readonly via: readonly number[];
}

const NONE: Shareable = { ids: [], views: [], via: [] };

export class HomeTimeline {
  /** Per followee, its posts of the window that can show: many followers share a followee. */
  private readonly shareable = new Map<number, Shareable>();
  /** The merge's max-heap, reused from call to call: followees' lists and each one's next index. */
  private lists: Shareable[] = [];
  private heapList = new Int32Array(64);
  private heapAt = new Int32Array(64);
  private heapFollowee = new Float64Array(64);
  private size = 0;

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
            old AS (SELECT s.post_id FROM shared s JOIN posts p USING (post_id) WHERE p.created_step < $1 OR p.kind NOT IN ('original', 'quote')),
            l AS (SELECT post_id, count(*) AS n FROM likes WHERE post_id IN (SELECT post_id FROM old) GROUP BY post_id),
            r AS (SELECT post_id, count(*) AS n FROM reposts WHERE post_id IN (SELECT post_id FROM old) GROUP BY post_id),
            d AS (SELECT post_id, count(*) AS n FROM dislikes WHERE post_id IN (SELECT post_id FROM old) GROUP BY post_id)
       SELECT o.post_id::INTEGER AS id, coalesce(l.n, 0)::INTEGER AS likes, coalesce(r.n, 0)::INTEGER AS reposts, coalesce(d.n, 0)::INTEGER AS dislikes
       FROM old o LEFT JOIN l USING (post_id) LEFT JOIN r USING (post_id) LEFT JOIN d USING (post_id) ORDER BY id`,
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
    const followees = state.followeesOf(user);
    this.reserve(followees.size);
    this.size = 0;
    this.lists.length = 0;
    for (const followee of followees) {
      if (muted.has(followee) || state.suspended.has(followee)) continue;
      const list = this.postsOf(followee);
      if (list.ids.length === 0) continue;
      this.lists.push(list);
      this.push(this.lists.length - 1, followee);
    }
    const out: HomeEntry[] = [];
    while (out.length < k && this.size > 0) {
      const list = this.lists[this.heapList[0]!]!;
      const at = this.heapAt[0]!;
      const followee = this.heapFollowee[0]!;
      if (at + 1 < list.ids.length) {
        this.heapAt[0] = at + 1;
        this.siftDown(0);
      } else this.pop();
      const view = list.views[at]!;
      const shared = view.postId;
      if (liked.has(shared) || reposted.has(shared) || view.authorId === user || muted.has(view.authorId) || out.some((e) => e.post.postId === shared)) continue;
      const via = list.via[at]!;
      out.push({ post: view, viaPostId: Number.isNaN(via) ? null : via, followee });
    }
    return out;
  }

  /** A followee's live posts and reposts of the window whose shared post can be shown, newest first. */
  private postsOf(followee: number): Shareable {
    let out = this.shareable.get(followee);
    if (out) return out;
    const ids = this.state.postIdsOf(followee);
    const own: number[] = [];
    const views: PostView[] = [];
    const via: number[] = [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const id = ids[i]!;
      const p = this.state.posts.get(id);
      if (!p || p.createdStep < this.fromStep) break;
      if (p.deleted || p.flagged || p.kind === 'comment') continue;
      const view = this.viewOf(p.kind === 'repost' ? (p.parentId ?? -1) : id);
      if (!view) continue;
      own.push(id);
      views.push(view);
      via.push(p.kind === 'repost' ? id : NaN);
    }
    // Plain arrays: a typed array costs more to allocate than these few items cost to read.
    out = own.length === 0 ? NONE : { ids: own, views, via };
    this.shareable.set(followee, out);
    return out;
  }

  private reserve(n: number): void {
    if (n <= this.heapList.length) return;
    const size = Math.max(n, this.heapList.length * 2);
    this.heapList = new Int32Array(size);
    this.heapAt = new Int32Array(size);
    this.heapFollowee = new Float64Array(size);
  }

  /** The post id heap entry `i` points at: the newest of all followees' next posts is on top. */
  private head(i: number): number {
    return this.lists[this.heapList[i]!]!.ids[this.heapAt[i]!]!;
  }

  private swap(a: number, b: number): void {
    const l = this.heapList[a]!;
    const t = this.heapAt[a]!;
    const f = this.heapFollowee[a]!;
    this.heapList[a] = this.heapList[b]!;
    this.heapAt[a] = this.heapAt[b]!;
    this.heapFollowee[a] = this.heapFollowee[b]!;
    this.heapList[b] = l;
    this.heapAt[b] = t;
    this.heapFollowee[b] = f;
  }

  private push(list: number, followee: number): void {
    let i = this.size++;
    this.heapList[i] = list;
    this.heapAt[i] = 0;
    this.heapFollowee[i] = followee;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.head(parent) >= this.head(i)) break;
      this.swap(parent, i);
      i = parent;
    }
  }

  private pop(): void {
    this.size--;
    if (this.size === 0) return;
    this.heapList[0] = this.heapList[this.size]!;
    this.heapAt[0] = this.heapAt[this.size]!;
    this.heapFollowee[0] = this.heapFollowee[this.size]!;
    this.siftDown(0);
  }

  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < this.size && this.head(l) > this.head(top)) top = l;
      if (r < this.size && this.head(r) > this.head(top)) top = r;
      if (top === i) return;
      this.swap(top, i);
      i = top;
    }
  }
}
