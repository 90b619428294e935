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
 * A mirror record. Field by field, not `{ ...post, … }`: V8 gives a spread copy a backing store
 * about four times the size (≈ 460 bytes a record instead of ≈ 110), and the mirror holds every
 * post of its window.
 */
function postRecord(post: NewPost, marks: { deleted?: boolean; flagged?: boolean; hidden?: boolean }): PostRecord {
  return {
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
  };
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
  /** Indexed by post id - `chainOffset` (see `evictBefore`). */
  private previousPostOf = new Int32Array(1024);
  private chainOffset = 0;
  nextPostId = 1;
  /**
   * The memory window: posts from this id on are all in the mirror (ids grow with the step, so
   * the window's posts are an id range). Older ones live in DuckDB; a step that names one puts
   * it in for itself (`visit`), and `evictBefore` drops them again.
   */
  windowStart = 1;
  /** Posts below the window put in for the current step. */
  private readonly visited = new Set<number>();

  addPost(postId: number, post: NewPost, marks: { deleted?: boolean; flagged?: boolean; hidden?: boolean } = {}): void {
    this.posts.set(postId, postRecord(post, marks));
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

  /** Post ids of the window in creation order (ascending id); posts visited for the step are not among them. */
  *postIds(): IterableIterator<number> {
    for (const id of this.posts.keys()) if (id >= this.windowStart) yield id;
  }

  /**
   * A post older than the window, put into the mirror for the current step only, so that the
   * step's actions can check it synchronously: not indexed for search or trends, not a feed
   * candidate, not on its author's timeline.
   */
  visit(postId: number, post: NewPost, marks: { deleted: boolean; flagged: boolean; hidden: boolean }): void {
    if (postId >= this.windowStart || this.posts.has(postId)) return;
    this.posts.set(postId, postRecord(post, marks));
    this.visited.add(postId);
  }

  /**
   * Drops from the mirror the posts created before `step` (the window now starts at the first
   * post created at `step` or later) and the posts visited for the step: out of the posts map,
   * search, trends, the author chains. Returns the ids dropped — the range [from, to) and the
   * visited ones — whose likes, dislikes and reposts the caller takes out (it reads which from
   * DuckDB; `forgetMarks`).
   */
  evictBefore(step: number): { from: number; to: number; visited: number[] } {
    const from = this.windowStart;
    let to = from;
    for (let p = this.posts.get(to); to < this.nextPostId && (p === undefined || p.createdStep < step); p = this.posts.get(++to)) {
      if (p === undefined) continue;
      this.postIndex.remove(to);
      this.posts.delete(to);
    }
    const visited = [...this.visited];
    for (const id of visited) this.posts.delete(id);
    this.visited.clear();
    this.windowStart = to;
    for (const s of this.candidatesByStep.keys()) if (s < step) this.candidatesByStep.delete(s);
    this.postIndex.dropBelow(to);
    this.engagement.evictBefore(to, step);
    const cut = to - this.chainOffset;
    if (cut * 2 >= this.previousPostOf.length) {
      this.previousPostOf = this.previousPostOf.slice(Math.min(cut, this.previousPostOf.length));
      this.chainOffset = to;
    }
    return { from, to, visited };
  }

  /** An empty mirror whose window starts at post `id` (a run resumed with a memory window). */
  startWindowAt(id: number): void {
    if (this.posts.size > 0) throw new Error('the window of a mirror holding posts moves by evictBefore');
    this.windowStart = this.nextPostId = this.chainOffset = id;
    this.postIndex.dropBelow(id);
    this.engagement.evictBefore(id, -Infinity);
  }

  /** Takes out (user, post) marks of posts that left the mirror, as `evictBefore`'s caller read them. */
  forgetMarks(table: 'likes' | 'dislikes' | 'reposts', users: ArrayLike<number>, posts: ArrayLike<number>): void {
    const map = this[table];
    for (let i = 0; i < users.length; i++) {
      const set = map.get(users[i]!);
      if (!set) continue;
      set.delete(posts[i]!);
      if (set.size === 0) map.delete(users[i]!);
      if (table === 'likes') this.engagement.forgetLike(users[i]!, posts[i]!);
    }
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

  /** All posts of `author` in the window, ascending id (deleted and hidden included). */
  postIdsOf(author: number): readonly number[] {
    const out: number[] = [];
    // Links below the window point at dropped posts: the chain ends there.
    for (let id = this.lastPostOf[author] ?? 0; id >= this.windowStart && id > 0; id = this.previousPostOf[id - this.chainOffset]!) out.push(id);
    return out.reverse();
  }

  private chainPost(postId: number, author: number): void {
    if (!Number.isInteger(author) || author < 0 || author > 0x7fffffff) throw new RangeError(`post ${postId}: author id ${author} is not a user id`);
    if (author >= this.lastPostOf.length) this.lastPostOf = grownInt32(this.lastPostOf, author + 1);
    const off = this.chainOffset;
    if (postId - off >= this.previousPostOf.length) this.previousPostOf = grownInt32(this.previousPostOf, postId - off + 1);
    const prev = this.previousPostOf;
    // A newest post from before the window is a dropped one: the chain starts again.
    const last = this.lastPostOf[author]! >= this.windowStart ? this.lastPostOf[author]! : 0;
    if (postId === last) return;
    if (postId > last) {
      prev[postId - off] = last;
      this.lastPostOf[author] = postId;
      return;
    }
    // An id below the author's newest (posts added out of order): linked in its place.
    let after = last;
    while (prev[after - off]! > postId) after = prev[after - off]!;
    if (prev[after - off] === postId) return;
    prev[postId - off] = prev[after - off]!;
    prev[after - off] = postId;
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
}

function userDocument(user: UserRecord): string {
  return `${user.username} ${user.name} ${user.bio}`;
}

const EMPTY: ReadonlySet<number> = new Set();
const NO_MARKS: ReadonlyMap<number, number> = new Map();
