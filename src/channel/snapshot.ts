import type { ChannelState } from './state.js';

/** A candidate post as the recommender and the agents see it at the start of a step. */
export interface PostView {
  readonly postId: number;
  readonly authorId: number;
  readonly createdStep: number;
  readonly text: string;
  readonly label: string | null;
  readonly likes: number;
  readonly reposts: number;
  readonly dislikes: number;
  /** Home timeline: the followee whose repost showed this post, and that repost's id. */
  readonly sharedBy?: number;
  readonly viaPostId?: number;
}

/** A candidate's view by post id (a Map will do; the snapshot's is `PostsById`). */
export type PostLookup = Pick<ReadonlyMap<number, PostView>, 'get' | 'has'>;

/**
 * Views by post id in an array indexed by id − the smallest: post ids are dense, so the
 * candidates of a window fill most of their id range, and one array a step costs less than a
 * map of several hundred thousand entries built (and rehashed as it grows) every step.
 */
export class PostsById implements PostLookup {
  private readonly views: (PostView | undefined)[];
  private readonly first: number;

  constructor(posts: readonly PostView[]) {
    let first = Infinity;
    let last = -Infinity;
    for (const p of posts) {
      first = Math.min(first, p.postId);
      last = Math.max(last, p.postId);
    }
    this.first = posts.length > 0 ? first : 0;
    this.views = new Array<PostView | undefined>(posts.length > 0 ? last - first + 1 : 0).fill(undefined);
    for (const p of posts) this.views[p.postId - this.first] = p;
  }

  get(postId: number): PostView | undefined {
    const i = postId - this.first;
    return i >= 0 && i < this.views.length ? this.views[i] : undefined;
  }

  has(postId: number): boolean {
    return this.get(postId) !== undefined;
  }
}

/**
 * Every standing like and repost by an agent (undone ones are gone), as parallel typed arrays
 * sorted by user then post: the training data of the collaborative-filtering recommenders.
 */
export interface Interactions {
  readonly users: Int32Array;
  readonly posts: Int32Array;
  /** 0 = like, 1 = repost. A post both liked and reposted by one user appears twice. */
  readonly kinds: Uint8Array;
}

/**
 * Unit vectors of texts from the experiment's embedding model (recsys.embedding_model), for
 * the snapshot's candidates, the posts agents engaged with, and agents' profiles; undefined
 * for a text that could not be embedded (yet).
 */
export interface TextEmbeddings {
  readonly dim: number;
  readonly post: (postId: number) => Float32Array | undefined;
  readonly profile: (user: number) => Float32Array | undefined;
}

/** The channel at the start of a step, as plain data: what recommenders rank from. */
export interface ChannelSnapshot {
  readonly step: number;
  /** Accounts that get a feed (agents; scripted accounts only post), ascending. */
  readonly users: readonly number[];
  /** Live, unflagged originals and quotes of the last `window` steps, ascending id, with engagement counts. */
  readonly posts: readonly PostView[];
  readonly postsById: PostLookup;
  /** Who each user follows; for in-network recommenders. */
  readonly followeesOf: (user: number) => ReadonlySet<number>;
  /** A user's name and bio: what content-based recommenders match post text against. */
  readonly profileOf: (user: number) => string;
  /** Likes and reposts of every agent over the whole run so far; built on first call. */
  readonly interactions: () => Interactions;
  /** Posts a user liked or reposted (standing), for excluding them from its feed. */
  readonly engagedBy: (user: number) => ReadonlySet<number>;
  /** Present when the recommender is configured with an embedding model. */
  readonly embeddings?: TextEmbeddings;
}

/**
 * Feed candidates created at `fromStep` or later with their like, repost and dislike counts:
 * live, unflagged originals and quotes (replies and reposts never are). Everything comes from
 * the in-memory mirror; the counts are the engagement index's, kept with each row those
 * tables gain or lose (a test holds them to the tables' counts step by step).
 */
export function recentPosts(state: ChannelState, fromStep: number): PostView[] {
  const counts = state.engagement;
  return state.feedCandidates(fromStep).map((postId) => {
    const p = state.posts.get(postId)!;
    return {
      postId,
      authorId: p.author,
      createdStep: p.createdStep,
      text: p.text,
      label: p.label,
      likes: counts.likes(postId),
      reposts: counts.reposts(postId),
      dislikes: counts.dislikes(postId),
    };
  });
}

/**
 * An agent's own marks on the platform at the start of a step, added to its observation by the
 * engine so a policy can avoid actions the rules would reject (a second dislike, bookmark,
 * report or mute) and knows which of its posts it could delete. Read-only views of the mirror.
 */
export interface ObservedMarks {
  readonly disliked: ReadonlySet<number>;
  /** Bookmarked post → step of the bookmark. */
  readonly bookmarked: ReadonlyMap<number, number>;
  readonly muted: ReadonlySet<number>;
  readonly reported: ReadonlySet<number>;
  /** The agent's live posts other than reposts, ascending id. */
  readonly ownPosts: readonly number[];
}

/** The agents' standing likes and reposts from the mirror, sorted by user then post. */
export function interactionsOf(state: ChannelState, agents: readonly number[]): Interactions {
  let n = 0;
  for (const u of agents) n += state.likesOf(u).size + state.repostsOf(u).size;
  const users = new Int32Array(n);
  const posts = new Int32Array(n);
  const kinds = new Uint8Array(n);
  let i = 0;
  for (const u of agents) {
    const liked = [...state.likesOf(u)].map((p) => [p, 0] as const);
    const reposted = [...state.repostsOf(u)].map((p) => [p, 1] as const);
    for (const [p, k] of [...liked, ...reposted].sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
      users[i] = u;
      posts[i] = p;
      kinds[i++] = k;
    }
  }
  return { users, posts, kinds };
}
