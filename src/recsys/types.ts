import type { ChannelSnapshot } from '../channel/snapshot.js';
import type { RecsysConfig } from '../config/types.js';

/** user id → that user's feed: post ids, best first. */
export type Feeds = Map<number, readonly number[]>;

/**
 * A recommender: given the channel at the start of a step, the feed of every user.
 * Synchronous (the engine loads everything it needs from DuckDB before calling) and
 * deterministic: all randomness comes from the seed it was built with and the step.
 */
export interface Recommender {
  readonly kind: string;
  refresh(snapshot: ChannelSnapshot): Feeds;
  /**
   * Learned state (embeddings, network weights) to carry across an interrupted run: the
   * engine stores it with each committed refresh and hands it back on resume, so a resumed
   * run's warm-started model equals the uninterrupted one's. Absent for stateless algorithms.
   */
  saveState?(): Uint8Array;
  loadState?(state: Uint8Array): void;
}

export interface RecommenderOptions {
  readonly seed: number;
  readonly feedSize: number;
  /** The experiment's whole `recsys:` block: each algorithm reads its own parameters from it. */
  readonly config: RecsysConfig;
  /** Simulated time: epoch milliseconds of step 0 and the length of a step. */
  readonly clock: { readonly startMs: number; readonly stepMs: number };
}
