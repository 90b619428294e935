/**
 * Every in-memory structure of a run that grows with its posts (or with likes, reposts and
 * other marks, which grow with posts): the inventory behind the README's "What a run keeps in
 * memory" table, which a test holds to this list. `name` is `Class.field` of a real field, so
 * a renamed structure fails that test instead of leaving the README behind.
 */
export interface MemoryStructure {
  readonly name: string;
  /** What one more of adds to it: a post, a feed candidate, a like… */
  readonly grows: 'post' | 'candidate' | 'author' | 'like' | 'repost' | 'like, dislike, repost' | 'bookmark' | 'report' | 'engaged post';
  /** What the platform's rules and readers need of it: the candidate window only, or the whole history. */
  readonly needs: 'window' | 'history';
}

export const MEMORY_STRUCTURES: readonly MemoryStructure[] = [
  { name: 'ChannelState.posts', grows: 'post', needs: 'window' },
  { name: 'ChannelState.candidatesByStep', grows: 'candidate', needs: 'window' },
  { name: 'ChannelState.previousPostOf', grows: 'post', needs: 'window' },
  { name: 'ChannelState.lastPostOf', grows: 'author', needs: 'window' },
  { name: 'ChannelState.postIndex', grows: 'post', needs: 'window' },
  { name: 'ChannelState.likes', grows: 'like', needs: 'window' },
  { name: 'ChannelState.dislikes', grows: 'like', needs: 'window' },
  { name: 'ChannelState.reposts', grows: 'repost', needs: 'window' },
  { name: 'ChannelState.bookmarks', grows: 'bookmark', needs: 'history' },
  { name: 'ChannelState.reportsOfPost', grows: 'report', needs: 'history' },
  { name: 'ChannelState.reportsBy', grows: 'report', needs: 'history' },
  { name: 'EngagementIndex.likeCounts', grows: 'post', needs: 'window' },
  { name: 'EngagementIndex.createdSteps', grows: 'post', needs: 'window' },
  { name: 'EngagementIndex.likeSteps', grows: 'like', needs: 'window' },
  { name: 'EngagementIndex.byStep', grows: 'like, dislike, repost', needs: 'window' },
  { name: 'EngagementIndex.created', grows: 'candidate', needs: 'window' },
  { name: 'SnapshotEmbedder.known', grows: 'engaged post', needs: 'window' },
  { name: 'SnapshotEmbedder.hashOfPost', grows: 'engaged post', needs: 'window' },
];
