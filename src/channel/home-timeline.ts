/**
 * The home timeline: the newest posts of the accounts a user follows — their originals and
 * quotes, and the posts they reposted, shown through that repost — reverse-chronological. On
 * real platforms followers see followed accounts' posts whatever the ranking; this is how a
 * post travels along the follow graph, repost by repost, and what makes a repost cascade.
 */
import type { ChannelDb } from './db.js';
import type { ChannelSnapshot, PostView } from './snapshot.js';
import type { ChannelState, PostRecord } from './state.js';

export interface HomeEntry {
  /** The post shown: for a followee's repost, the post it shares. */
  readonly post: PostView;
  /** The followee's repost it came through; null when the followee wrote the post. */
  readonly viaPostId: number | null;
  /** The followee whose post or repost put it here. */
  readonly followee: number;
}

export class HomeTimeline {
  /**
   * Post ids are dense and grow with time, so the window's posts are the id range
   * [first, last]. Per post of that range, three numbers side by side: the post it shows
   * (itself, or for a repost the post it shares; NaN when it cannot show: deleted, flagged, a
   * reply, or sharing a post gone), that post's author, and the same author's previous post of
   * the range that can show (−1 for none). Side by side because a merge reads all three of a
   * post at once: one place in memory instead of three arrays, a million agents' merges a step.
   * Built once per step; `views` holds the view of the post each one shows.
   */
  private readonly range: Float64Array;
  private readonly views: (PostView | undefined)[] = [];
  /** Per author (user id), its newest post of the range that can show, −1 for none: where its chain in `range` starts. */
  private readonly newestOf: Int32Array;
  /** The merge's max-heap, reused from call to call: each followee's current post id. */
  private heapHead = new Float64Array(64);
  private heapFollowee = new Float64Array(64);
  private size = 0;
  /** The posts a merge has listed so far, for its duplicate check without reaching their views. */
  private listedIds = new Float64Array(64);

  private constructor(
    private readonly state: ChannelState,
    private readonly first: number,
    last: number,
    /** Views of feed candidates and of older originals reposted inside the window. */
    viewOf: (postId: number) => PostView | undefined,
  ) {
    const n = Math.max(0, last - first + 1);
    this.range = new Float64Array(3 * n).fill(NaN);
    let newestOf = new Int32Array(1024).fill(-1);
    for (let id = first; id <= last; id++) {
      const p = state.posts.get(id);
      const view = !p || p.deleted || p.flagged || p.kind === 'comment' ? undefined : viewOf(p.kind === 'repost' ? (p.parentId ?? -1) : id);
      // Pushed for every id, so the array stays packed (no holes) and is read by offset.
      this.views.push(view);
      if (!p || !view) continue;
      const at = 3 * (id - first);
      this.range[at] = view.postId;
      this.range[at + 1] = view.authorId;
      if (p.author >= newestOf.length) {
        const grown = new Int32Array(Math.max(p.author + 1, newestOf.length * 2)).fill(-1);
        grown.set(newestOf);
        newestOf = grown;
      }
      this.range[at + 2] = newestOf[p.author]!;
      newestOf[p.author] = id;
    }
    this.newestOf = newestOf;
  }

  /**
   * The home timelines of a step: posts created at `fromStep` or later (the recommender's
   * window). A repost inside the window may share an older post, which is then shown too: its
   * counts come from one query, since the snapshot holds only the window's candidates, and so
   * does the post itself when it is older than the memory window. Which posts those are comes
   * from the mirror (the window's reposts are in it), and the queries name them: a join over
   * the whole posts table cost seconds a step at 10 million posts.
   */
  static async open(db: ChannelDb, state: ChannelState, snapshot: ChannelSnapshot, fromStep: number): Promise<HomeTimeline> {
    const first = firstPostOf(state, fromStep);
    const shared = new Set<number>();
    for (let id = first; id < state.nextPostId; id++) {
      const p = state.posts.get(id);
      if (p?.kind === 'repost' && p.parentId !== null) shared.add(p.parentId);
    }
    const old = [...shared]
      .filter((id) => {
        const p = state.posts.get(id);
        return p === undefined || p.createdStep < fromStep || (p.kind !== 'original' && p.kind !== 'quote');
      })
      .sort((a, b) => a - b);
    const older = new Map<number, PostView>();
    if (old.length > 0) {
      const counts = await columnsOf(
        db,
        `WITH old AS (SELECT unnest(${idList(old)}) AS post_id),
              l AS (SELECT post_id, count(*) AS n FROM likes WHERE post_id IN (SELECT post_id FROM old) GROUP BY post_id),
              r AS (SELECT post_id, count(*) AS n FROM reposts WHERE post_id IN (SELECT post_id FROM old) GROUP BY post_id),
              d AS (SELECT post_id, count(*) AS n FROM dislikes WHERE post_id IN (SELECT post_id FROM old) GROUP BY post_id)
         SELECT o.post_id::INTEGER AS id, coalesce(l.n, 0)::INTEGER AS likes, coalesce(r.n, 0)::INTEGER AS reposts, coalesce(d.n, 0)::INTEGER AS dislikes
         FROM old o LEFT JOIN l USING (post_id) LEFT JOIN r USING (post_id) LEFT JOIN d USING (post_id) ORDER BY id`,
      );
      const cold = await coldPosts(db, old.filter((id) => !state.posts.has(id)));
      const [ids = [], likes = [], reposts = [], dislikes = []] = counts as number[][];
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        const p = state.posts.get(id) ?? cold.get(id);
        if (!p || p.deleted || p.flagged || p.hidden || state.suspended.has(p.author)) continue;
        older.set(id, { postId: id, authorId: p.author, createdStep: p.createdStep, text: p.text, label: p.label, likes: likes[i]!, reposts: reposts[i]!, dislikes: dislikes[i]! });
      }
    }
    return new HomeTimeline(state, first, state.nextPostId - 1, (id) => snapshot.postsById.get(id) ?? older.get(id));
  }

  /**
   * Up to `k` entries for `user`, newest first, never its own post, a post it already liked or
   * reposted (as the mirror holds them: call before the step's actions apply), a post by (or shared by) an account it muted, or one post twice (a post two
   * followees shared shows through the newer repost).
   */
  of(user: number, k: number): HomeEntry[] {
    if (k <= 0) return [];
    const { state, range, first } = this;
    const muted = state.mutesOf(user);
    const liked = state.likesOf(user);
    const reposted = state.repostsOf(user);
    const followees = state.followeesOf(user);
    this.reserve(followees.size);
    if (this.listedIds.length < k) this.listedIds = new Float64Array(k);
    const listedIds = this.listedIds;
    this.size = 0;
    for (const followee of followees) {
      const newest = followee < this.newestOf.length ? this.newestOf[followee]! : -1;
      if (newest < 0 || muted.has(followee) || state.suspended.has(followee)) continue;
      this.push(newest, followee);
    }
    const out: HomeEntry[] = [];
    while (out.length < k && this.size > 0) {
      const id = this.heapHead[0]!;
      const followee = this.heapFollowee[0]!;
      const at = 3 * (id - first);
      const next = range[at + 2]!;
      if (next >= 0) {
        this.heapHead[0] = next;
        this.siftDown(0);
      } else this.pop();
      const shows = range[at]!;
      const author = range[at + 1]!;
      if (liked.has(shows) || reposted.has(shows) || author === user || muted.has(author) || listed(listedIds, out.length, shows)) continue;
      listedIds[out.length] = shows;
      out.push({ post: this.views[id - first]!, viaPostId: shows === id ? null : id, followee });
    }
    return out;
  }

  private reserve(n: number): void {
    if (n <= this.heapHead.length) return;
    const size = Math.max(n, this.heapHead.length * 2);
    this.heapHead = new Float64Array(size);
    this.heapFollowee = new Float64Array(size);
  }

  private swap(a: number, b: number): void {
    const head = this.heapHead[a]!;
    const f = this.heapFollowee[a]!;
    this.heapHead[a] = this.heapHead[b]!;
    this.heapFollowee[a] = this.heapFollowee[b]!;
    this.heapHead[b] = head;
    this.heapFollowee[b] = f;
  }

  private push(postId: number, followee: number): void {
    let i = this.size++;
    this.heapHead[i] = postId;
    this.heapFollowee[i] = followee;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.heapHead[parent]! >= this.heapHead[i]!) break;
      this.swap(parent, i);
      i = parent;
    }
  }

  private pop(): void {
    this.size--;
    if (this.size === 0) return;
    this.swap(0, this.size);
    this.siftDown(0);
  }

  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < this.size && this.heapHead[l]! > this.heapHead[top]!) top = l;
      if (r < this.size && this.heapHead[r]! > this.heapHead[top]!) top = r;
      if (top === i) return;
      this.swap(top, i);
      i = top;
    }
  }
}

/** Whether the first `n` of `ids` hold `postId`: a plain loop, as this runs for every entry of every agent's merge. */
function listed(ids: Float64Array, n: number, postId: number): boolean {
  for (let i = 0; i < n; i++) if (ids[i] === postId) return true;
  return false;
}

/** The first post id created at `fromStep` or later (ids are dense and grow with the step); past the last when none. */
function firstPostOf(state: ChannelState, fromStep: number): number {
  let lo = state.windowStart;
  let hi = state.nextPostId;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const p = state.posts.get(mid);
    if (p !== undefined && p.createdStep >= fromStep) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

type ColdPost = Pick<PostRecord, 'author' | 'createdStep' | 'text' | 'label' | 'deleted' | 'flagged' | 'hidden'>;

/** Shared posts older than the memory window, from DuckDB (the mirror no longer holds them). */
async function coldPosts(db: ChannelDb, ids: readonly number[]): Promise<Map<number, ColdPost>> {
  const out = new Map<number, ColdPost>();
  if (ids.length === 0) return out;
  const rows = await db.query<{ id: number; author: number; step: number; text: string; label: string | null; d: boolean; f: boolean; h: boolean }>(
    `SELECT post_id::DOUBLE AS id, author_id AS author, created_step AS step, text, label, deleted_step IS NOT NULL AS d, flagged_step IS NOT NULL AS f, hidden_step IS NOT NULL AS h
     FROM posts WHERE post_id IN (SELECT unnest(${idList(ids)}))`,
  );
  for (const r of rows) out.set(r.id, { author: r.author, createdStep: r.step, text: r.text, label: r.label, deleted: r.d, flagged: r.f, hidden: r.h });
  return out;
}

/** Post ids (integers from the mirror) as a BIGINT[] literal: unnested and joined, DuckDB prunes the scan to their range. */
function idList(ids: readonly number[]): string {
  return `[${ids.join(',')}]::BIGINT[]`;
}

async function columnsOf(db: ChannelDb, sql: string): Promise<unknown[][]> {
  return (await db.connection.runAndReadAll(sql)).getColumnsJS();
}
