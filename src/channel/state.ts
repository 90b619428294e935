import type { ChannelDb } from './db.js';
import { EngagementIndex } from './engagement-index.js';
import { SearchIndex } from './search-index.js';
import { SocialState } from './social.js';
import { grownInt32 } from '../common/typed-arrays.js';

/**
 * `agent`: a member of a cohort; `seed`: a scripted account; `platform`: an account the
 * platform votes with (the herding experiment's), hidden from agents: it has no feed, is not
 * found by search, cannot be followed, muted or messaged, and sends no notifications.
 */
export type UserKind = 'agent' | 'seed' | 'platform';

export interface UserRecord {
  readonly username: string;
  readonly kind: UserKind;
  /** Display name and bio (for search_users). */
  readonly name: string;
  readonly bio: string;
}

export interface PostRecord {
  readonly author: number;
  readonly kind: PostKind;
  readonly parentId: number | null;
  /** The thread's original post: own id for originals and quotes, the parent's root for comments, null for reposts. */
  readonly rootId: number | null;
  readonly createdStep: number;
  readonly text: string;
  /** Set when posted; an intervention (label_post) may change it later. */
  label: string | null;
  deleted: boolean;
  /** Reported by `report_threshold` distinct users: out of recommender candidates. */
  flagged: boolean;
  /** A reply hidden by the author of the post it replies to. */
  hidden: boolean;
}

export type PostKind = 'original' | 'repost' | 'quote' | 'comment';

export type NewPost = Omit<PostRecord, 'deleted' | 'flagged' | 'hidden'>;

/** Platform rules that come from the experiment (`platform:` in the YAML). */
export interface PlatformRules {
  /** Distinct reporters that flag a post. */
  reportThreshold: number;
  /** Algorithm of search_posts and search_users. */
  search: 'substring' | 'bm25';
  trends: TrendsRules;
}

export interface TrendsRules {
  algorithm: 'most_liked' | 'velocity' | 'hashtags';
  /** Steps a trend looks back over (velocity compares it with the window before). */
  window: number;
  limit: number;
}

/**
 * What the action handlers check rules against: the platform's current state held in memory,
 * a mirror of the DuckDB tables kept in step with every applied action. Checking "already
 * liked?" here costs a Set lookup instead of a query, which is what lets a step apply tens
 * of thousands of actions per second; DuckDB stays the record and the place for set queries.
 */
export class ChannelState {
  readonly users = new Map<number, UserRecord>();
  readonly usernames = new Set<string>();
  readonly posts = new Map<number, PostRecord>();
  readonly follows = new Map<number, Set<number>>();
  readonly likes = new Map<number, Set<number>>();
  readonly dislikes = new Map<number, Set<number>>();
  readonly reposts = new Map<number, Set<number>>();
  /** user → muted users. */
  readonly mutes = new Map<number, Set<number>>();
  /** user → bookmarked post → step the bookmark row carries (for newest-first listing). */
  readonly bookmarks = new Map<number, Map<number, number>>();
  /** post → distinct reporters; and user → posts it reported. */
  readonly reportsOfPost = new Map<number, Set<number>>();
  readonly reportsBy = new Map<number, Set<number>>();
  /** user → pinned post. */
  readonly pins = new Map<number, number>();
  /** Accounts suspended by an intervention (see `suspend`); read-only outside it. */
  readonly suspended = new Set<number>();
  /** Scripted accounts' label, carried on every post they write without one of its own. */
  readonly accountLabels = new Map<number, string>();
  readonly rules: PlatformRules = { reportThreshold: 3, search: 'bm25', trends: { algorithm: 'hashtags', window: 6, limit: 10 } };
  /** BM25 index of live, unflagged, unhidden posts with text. */
  readonly postIndex = new SearchIndex();
  /** BM25 index of every user's username, name and bio: built on the first search_users (see `userIndex`). */
  private builtUserIndex: SearchIndex | null = null;
  /** Likes, reposts and #tags per step, for trends (trends.ts). */
  readonly engagement = new EngagementIndex();
  /** Direct messages, groups and lists. */
  readonly social = new SocialState();
  /** Feed candidates (originals and quotes) by creation step: the recommenders' window without a scan. */
  private readonly candidatesByStep = new Map<number, number[]>();
  /**
   * Every post of each author as a chain, newest first: per author (user id) its newest post id,
   * per post id the same author's previous one (0: none; post ids start at 1). Two flat arrays
   * instead of an array per author: a million authors were a million small objects to collect.
   */
  private lastPostOf = new Int32Array(1024);
  private previousPostOf = new Int32Array(1024);
  nextPostId = 1;

  addPost(postId: number, post: NewPost, marks: { deleted?: boolean; flagged?: boolean; hidden?: boolean } = {}): void {
    // Field by field, not `{ ...post, … }`: V8 gives a spread copy a backing store about four
    // times the size (≈ 460 bytes a record instead of ≈ 110), and the mirror holds every post.
    this.posts.set(postId, {
      author: post.author,
      kind: post.kind,
      parentId: post.parentId,
      rootId: post.rootId,
      createdStep: post.createdStep,
      text: post.text,
      label: post.label,
      deleted: marks.deleted ?? false,
      flagged: marks.flagged ?? false,
      hidden: marks.hidden ?? false,
    });
    if (postId >= this.nextPostId) this.nextPostId = postId + 1;
    if (post.kind === 'original' || post.kind === 'quote') {
      const list = this.candidatesByStep.get(post.createdStep);
      if (list) list.push(postId);
      else this.candidatesByStep.set(post.createdStep, [postId]);
    }
    if (!marks.deleted && !marks.flagged && !marks.hidden && post.text !== '') this.postIndex.add(postId, post.text);
    this.engagement.addPost(postId, post, this.postIndex.tagsOf(postId));
    this.chainPost(postId, post.author);
  }

  addUser(id: number, user: UserRecord): void {
    this.users.set(id, user);
    this.usernames.add(user.username);
    if (user.kind !== 'platform') this.builtUserIndex?.add(id, userDocument(user));
  }

  /**
   * The users' search index. Built when first asked for, not as accounts arrive: a run whose
   * agents never search users (the statistical policy's) does not pay its ≈ 300 bytes per
   * account, a third of a million-agent setup's memory. Accounts are indexed in id order either
   * way, so the ranking is the same.
   */
  get userIndex(): SearchIndex {
    if (this.builtUserIndex === null) {
      const index = new SearchIndex();
      const ids = [...this.users.keys()].sort((a, b) => a - b);
      for (const id of ids) {
        const user = this.users.get(id)!;
        if (user.kind !== 'platform') index.add(id, userDocument(user));
      }
      this.builtUserIndex = index;
    }
    return this.builtUserIndex;
  }

  /** Marks a post deleted, flagged or hidden: it leaves search. */
  markPost(post: PostRecord, id: number, mark: 'deleted' | 'flagged' | 'hidden'): void {
    post[mark] = true;
    this.engagement.removeTags(post, this.postIndex.tagsOf(id));
    this.postIndex.remove(id);
  }

  /**
   * Suspends an account: it can no longer act, and its posts leave feeds, search, trends
   * (their #tags too) and every timeline, list and repost that showed them.
   */
  suspend(userId: number): void {
    this.suspended.add(userId);
    for (const id of this.postIdsOf(userId)) {
      const post = this.posts.get(id);
      if (post) this.engagement.removeTags(post, this.postIndex.tagsOf(id));
      this.postIndex.remove(id);
    }
  }

  /** Post ids in creation order (ascending id). */
  postIds(): IterableIterator<number> {
    return this.posts.keys();
  }

  /** Ids of live, unflagged originals and quotes created at `fromStep` or later, ascending. */
  feedCandidates(fromStep: number): number[] {
    const ids: number[] = [];
    const steps = [...this.candidatesByStep.keys()].filter((s) => s >= fromStep).sort((a, b) => a - b);
    for (const step of steps) {
      for (const id of this.candidatesByStep.get(step) ?? []) {
        const p = this.posts.get(id);
        if (p && !p.deleted && !p.flagged && !this.suspended.has(p.author)) ids.push(id);
      }
    }
    return ids;
  }

  /** All posts of `author`, ascending id (deleted and hidden included). */
  postIdsOf(author: number): readonly number[] {
    const out: number[] = [];
    for (let id = this.lastPostOf[author] ?? 0; id > 0; id = this.previousPostOf[id]!) out.push(id);
    return out.reverse();
  }

  private chainPost(postId: number, author: number): void {
    if (!Number.isInteger(author) || author < 0 || author > 0x7fffffff) throw new RangeError(`post ${postId}: author id ${author} is not a user id`);
    if (author >= this.lastPostOf.length) this.lastPostOf = grownInt32(this.lastPostOf, author + 1);
    if (postId >= this.previousPostOf.length) this.previousPostOf = grownInt32(this.previousPostOf, postId + 1);
    const last = this.lastPostOf[author]!;
    if (postId === last) return;
    if (postId > last) {
      this.previousPostOf[postId] = last;
      this.lastPostOf[author] = postId;
      return;
    }
    // An id below the author's newest (posts added out of order): linked in its place.
    let after = last;
    while (this.previousPostOf[after]! > postId) after = this.previousPostOf[after]!;
    if (this.previousPostOf[after] === postId) return;
    this.previousPostOf[postId] = this.previousPostOf[after]!;
    this.previousPostOf[after] = postId;
  }

  /** Whether `id` is an account agents can name (a platform account is not). */
  hasUser(id: number): boolean {
    const user = this.users.get(id);
    return user !== undefined && user.kind !== 'platform';
  }

  livePost(id: number): PostRecord | undefined {
    const p = this.posts.get(id);
    return p && !p.deleted ? p : undefined;
  }

  followeesOf(user: number): ReadonlySet<number> {
    return this.follows.get(user) ?? EMPTY;
  }

  likesOf(user: number): ReadonlySet<number> {
    return this.likes.get(user) ?? EMPTY;
  }

  dislikesOf(user: number): ReadonlySet<number> {
    return this.dislikes.get(user) ?? EMPTY;
  }

  repostsOf(user: number): ReadonlySet<number> {
    return this.reposts.get(user) ?? EMPTY;
  }

  mutesOf(user: number): ReadonlySet<number> {
    return this.mutes.get(user) ?? EMPTY;
  }

  reportsByUser(user: number): ReadonlySet<number> {
    return this.reportsBy.get(user) ?? EMPTY;
  }

  bookmarksOf(user: number): ReadonlyMap<number, number> {
    return this.bookmarks.get(user) ?? NO_MARKS;
  }

  static addTo(map: Map<number, Set<number>>, key: number, value: number): boolean {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    if (set.has(value)) return false;
    set.add(value);
    return true;
  }

  static removeFrom(map: Map<number, Set<number>>, key: number, value: number): boolean {
    return map.get(key)?.delete(value) ?? false;
  }

  /** Rebuilds the mirror from a sim.duckdb, e.g. to continue a run after its last committed step. */
  static async load(db: ChannelDb): Promise<ChannelState> {
    const s = new ChannelState();
    for (const u of await db.query<{ id: number; username: string; name: string; bio: string; kind: string }>(
      'SELECT user_id AS id, username, name, bio, kind FROM users',
    )) {
      s.addUser(u.id, { username: u.username, name: u.name, bio: u.bio, kind: u.kind === 'seed' || u.kind === 'platform' ? u.kind : 'agent' });
    }
    type P = { id: number; author: number; kind: PostKind; parent: number | null; root: number | null; step: number; text: string; label: string | null; d: boolean; f: boolean; h: boolean };
    for (const p of await db.query<P>(
      `SELECT post_id::DOUBLE AS id, author_id AS author, kind, parent_id::DOUBLE AS parent, root_id::DOUBLE AS root, created_step AS step, text, label,
              deleted_step IS NOT NULL AS d, flagged_step IS NOT NULL AS f, hidden_step IS NOT NULL AS h
       FROM posts ORDER BY post_id`,
    )) {
      s.addPost(p.id, { author: p.author, kind: p.kind, parentId: p.parent, rootId: p.root, createdStep: p.step, text: p.text, label: p.label }, { deleted: p.d, flagged: p.f, hidden: p.h });
    }
    const pairs = async (sql: string, into: Map<number, Set<number>>): Promise<void> => {
      for (const r of await db.query<{ a: number; b: number }>(sql)) ChannelState.addTo(into, r.a, r.b);
    };
    await pairs('SELECT follower_id AS a, followee_id AS b FROM follows', s.follows);
    await pairs('SELECT user_id AS a, post_id::DOUBLE AS b FROM likes', s.likes);
    await pairs('SELECT user_id AS a, post_id::DOUBLE AS b FROM dislikes', s.dislikes);
    await pairs('SELECT user_id AS a, post_id::DOUBLE AS b FROM reposts', s.reposts);
    await pairs('SELECT user_id AS a, muted_id AS b FROM mutes', s.mutes);
    await pairs('SELECT post_id::DOUBLE AS a, user_id AS b FROM reports', s.reportsOfPost);
    await pairs('SELECT user_id AS a, post_id::DOUBLE AS b FROM reports', s.reportsBy);
    for (const r of await db.query<{ u: number; p: number; s: number }>('SELECT user_id AS u, post_id::DOUBLE AS p, created_step AS s FROM likes ORDER BY ALL')) {
      s.engagement.like(r.u, r.p, r.s);
    }
    for (const r of await db.query<{ p: number; s: number }>('SELECT post_id::DOUBLE AS p, created_step AS s FROM reposts ORDER BY ALL')) s.engagement.repost(r.p, r.s);
    for (const r of await db.query<{ u: number; p: number; s: number }>('SELECT user_id AS u, post_id::DOUBLE AS p, created_step AS s FROM bookmarks')) {
      let m = s.bookmarks.get(r.u);
      if (!m) s.bookmarks.set(r.u, (m = new Map()));
      m.set(r.p, r.s);
    }
    for (const r of await db.query<{ u: number; p: number }>('SELECT user_id AS u, post_id::DOUBLE AS p FROM pins')) s.pins.set(r.u, r.p);
    await s.social.load(db);
    for (const r of await db.query<{ id: number }>(`SELECT CAST(target AS INTEGER) AS id FROM interventions WHERE ok AND action = 'suspend_account'`)) {
      s.suspend(r.id);
    }
    return s;
  }
}

function userDocument(user: UserRecord): string {
  return `${user.username} ${user.name} ${user.bio}`;
}

const EMPTY: ReadonlySet<number> = new Set();
const NO_MARKS: ReadonlyMap<number, number> = new Map();
