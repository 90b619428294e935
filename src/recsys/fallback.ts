import type { ChannelSnapshot, PostView } from '../channel/snapshot.js';
import { popularityScore } from './popularity.js';

/**
 * The cold-start answer every algorithm shares: candidates by popularity (likes + 2 × reposts),
 * ties to the newer post, then the higher id. Compute once per refresh and pass to `fillFeed`.
 */
export function popularRanking(snapshot: ChannelSnapshot): readonly PostView[] {
  return snapshot.posts
    .slice()
    .sort((a, b) => popularityScore(b) - popularityScore(a) || b.createdStep - a.createdStep || b.postId - a.postId);
}

/**
 * A user's feed: its own ranking first, then popular posts until `feedSize`, never a post
 * the user wrote, already liked or reposted, or one listed twice. A new agent (no history)
 * or a refresh with nothing learned yet thus still gets a full feed.
 */
export function fillFeed(
  ranked: readonly number[],
  popular: readonly PostView[],
  snapshot: ChannelSnapshot,
  user: number,
  feedSize: number,
): number[] {
  const engaged = snapshot.engagedBy(user);
  const feed: number[] = [];
  const taken = new Set<number>();
  const offer = (postId: number): void => {
    if (feed.length >= feedSize || taken.has(postId) || engaged.has(postId)) return;
    const p = snapshot.postsById.get(postId);
    if (!p || p.authorId === user) return;
    taken.add(postId);
    feed.push(postId);
  };
  for (const id of ranked) {
    if (feed.length >= feedSize) break;
    offer(id);
  }
  for (const p of popular) {
    if (feed.length >= feedSize) break;
    offer(p.postId);
  }
  return feed;
}
