import type { ChannelSnapshot } from '../channel/snapshot.js';

/** user id → that user's feed: post ids, best first. */
export type Feeds = Map<number, readonly number[]>;

/**
 * A recommender: given the channel at the start of a step, the feed of every user.
 * Synchronous and pure: all randomness comes from the seed it was built with and the step.
 */
export interface Recommender {
  readonly kind: string;
  refresh(snapshot: ChannelSnapshot): Feeds;
}

export interface RecommenderOptions {
  readonly seed: number;
  readonly feedSize: number;
}
