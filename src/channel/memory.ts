/**
 * Every in-memory structure of a run that grows with its posts (or with likes, reposts and
 * other marks, which grow with posts): the inventory behind the README's "What a run keeps in
 * memory" table, which a test holds to this list. `name` is `Class.field` of a real field, so
 * a renamed structure fails that test instead of leaving the README behind.
 */
export interface MemoryStructure {
  readonly name: string;
  /** What one more of adds to it: a post, a feed candidate, a like… */
  readonly grows: 'post' | 'candidate' | 'author' | 'like' | 'dislike' | 'repost' | 'like, repost' | 'bookmark' | 'report' | 'engaged post';
  /** What the platform's rules and readers need of it: the candidate window only, or the whole history. */
  readonly needs: 'window' | 'history';
  /** What the mirror holds of it: the memory window's (channel/window.ts), or the whole run's. */
  readonly kept: 'memory window' | 'whole run';
}

export const MEMORY_STRUCTURES: readonly MemoryStructure[] = [
  { name: 'ChannelState.posts', grows: 'post', needs: 'window', kept: 'memory window' },
  { name: 'ChannelState.candidatesByStep', grows: 'candidate', needs: 'window', kept: 'memory window' },
  { name: 'ChannelState.previousPostOf', grows: 'post', needs: 'window', kept: 'memory window' },
  { name: 'ChannelState.lastPostOf', grows: 'author', needs: 'window', kept: 'memory window' },
  { name: 'ChannelState.postIndex', grows: 'post', needs: 'window', kept: 'memory window' },
  { name: 'ChannelState.likes', grows: 'like', needs: 'window', kept: 'memory window' },
  { name: 'ChannelState.dislikes', grows: 'dislike', needs: 'window', kept: 'memory window' },
  { name: 'ChannelState.reposts', grows: 'repost', needs: 'window', kept: 'memory window' },
  { name: 'ChannelState.bookmarks', grows: 'bookmark', needs: 'history', kept: 'whole run' },
  { name: 'ChannelState.reportsOfPost', grows: 'report', needs: 'history', kept: 'whole run' },
  { name: 'ChannelState.reportsBy', grows: 'report', needs: 'history', kept: 'whole run' },
  { name: 'EngagementIndex.likeCounts', grows: 'post', needs: 'window', kept: 'memory window' },
  { name: 'EngagementIndex.repostCounts', grows: 'post', needs: 'window', kept: 'memory window' },
  { name: 'EngagementIndex.dislikeCounts', grows: 'post', needs: 'window', kept: 'memory window' },
  { name: 'EngagementIndex.createdSteps', grows: 'post', needs: 'window', kept: 'memory window' },
  { name: 'EngagementIndex.likeSteps', grows: 'like', needs: 'window', kept: 'memory window' },
  { name: 'EngagementIndex.byStep', grows: 'like, repost', needs: 'window', kept: 'memory window' },
  { name: 'EngagementIndex.created', grows: 'candidate', needs: 'window', kept: 'memory window' },
  { name: 'SnapshotEmbedder.known', grows: 'engaged post', needs: 'window', kept: 'whole run' },
  { name: 'SnapshotEmbedder.hashOfPost', grows: 'engaged post', needs: 'window', kept: 'memory window' },
];
