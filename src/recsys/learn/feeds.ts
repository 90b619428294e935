import type { ChannelSnapshot } from '../../channel/snapshot.js';
import { fillFeed, popularRanking } from '../fallback.js';
import type { Feeds } from '../types.js';
import { userDegree, type InteractionIndex } from './interaction-index.js';
import { coldCap, gatherPool, scoredCandidates, withColdPosts } from './pool.js';
import { rankByDot, type Excluded } from './rank.js';

/** The feed rule: never the user's own post nor one it liked or reposted. */
export function exclusionRule(snapshot: ChannelSnapshot): Excluded {
  // engagedBy may build a set per call; users are ranked a block of four at a time, so
  // keep the sets of the last few.
  const recent = new Map<number, ReadonlySet<number>>();
  return (user, postId, authorId) => {
    if (authorId === user) return true;
    let engaged = recent.get(user);
    if (!engaged) {
      if (recent.size >= 8) recent.clear();
      engaged = snapshot.engagedBy(user);
      recent.set(user, engaged);
    }
    return engaged.has(postId);
  };
}

/** Every user's feed: its learned ranking (if any) topped up with popular posts by `fillFeed`. */
export function feedsFrom(snapshot: ChannelSnapshot, rankings: ReadonlyMap<number, readonly number[]>, feedSize: number): Feeds {
  const popular = popularRanking(snapshot);
  const feeds: Feeds = new Map();
  for (const user of snapshot.users) feeds.set(user, fillFeed(rankings.get(user) ?? [], popular, snapshot, user, feedSize));
  return feeds;
}

/**
 * Feeds from user and item embedding tables (rows of `index`): each user with at least one
 * interaction gets its best candidates by dot product (posts without interactions scored by
 * their author's vector, see `withColdPosts`); everyone is then topped up by the popularity
 * fallback, which alone serves users without history.
 */
export function embeddingFeeds(
  snapshot: ChannelSnapshot,
  index: InteractionIndex,
  userTable: Float32Array,
  itemTable: Float32Array,
  dim: number,
  feedSize: number,
): Feeds {
  const pool = withColdPosts(gatherPool(scoredCandidates(snapshot, index), itemTable, dim), snapshot.posts, dim, coldCap(snapshot.users.length));
  const users: number[] = [];
  for (const u of snapshot.users) {
    const r = index.userRow.get(u);
    if (r !== undefined && userDegree(index, r) > 0) users.push(u);
  }
  const userVecs = new Float32Array(users.length * dim);
  users.forEach((u, k) => {
    const r = index.userRow.get(u)!;
    userVecs.set(userTable.subarray(r * dim, r * dim + dim), k * dim);
  });
  const rankings = rankByDot(Int32Array.from(users), userVecs, pool, dim, feedSize, exclusionRule(snapshot));
  return feedsFrom(snapshot, rankings, feedSize);
}
