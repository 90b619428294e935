import type { ObservedMarks } from '../channel/snapshot.js';
import type { ChannelState } from '../channel/state.js';

/**
 * An agent's own marks as its observation carries them, each read from the mirror when the
 * policy first asks for it: the statistical policy reads most of them only on the rare draw
 * that needs them, and each read is a lookup in a map of every agent — four of them for each
 * of a step's 400,000 active agents at a million. Policies read them while deciding, before
 * the step's actions apply, so they see what an eager read at the observation would have.
 */
export class LazyMarks implements ObservedMarks {
  private dislikedOnce: ReadonlySet<number> | undefined;
  private bookmarkedOnce: ReadonlyMap<number, number> | undefined;
  private mutedOnce: ReadonlySet<number> | undefined;
  private reportedOnce: ReadonlySet<number> | undefined;
  private ownPostsOnce: readonly number[] | undefined;

  constructor(
    private readonly state: ChannelState,
    private readonly user: number,
  ) {}

  get disliked(): ReadonlySet<number> {
    return (this.dislikedOnce ??= this.state.dislikesOf(this.user));
  }

  get bookmarked(): ReadonlyMap<number, number> {
    return (this.bookmarkedOnce ??= this.state.bookmarksOf(this.user));
  }

  get muted(): ReadonlySet<number> {
    return (this.mutedOnce ??= this.state.mutesOf(this.user));
  }

  get reported(): ReadonlySet<number> {
    return (this.reportedOnce ??= this.state.reportsByUser(this.user));
  }

  get ownPosts(): readonly number[] {
    return (this.ownPostsOnce ??= this.state.postIdsOf(this.user).filter((id) => {
      const post = this.state.posts.get(id);
      return post !== undefined && !post.deleted && post.kind !== 'repost';
    }));
  }
}
