import type { RecsysConfig, RecsysKind } from '../config/types.js';

/**
 * Default share of the home timeline per kind: half of every feed, as on platforms whose
 * ranked feed mixes in-network and recommended posts about evenly; a quarter for twitter,
 * whose own in_network_share already ranks followees' posts (the home share adds their
 * reposts and their newest posts on top).
 */
export const DEFAULT_HOME_TIMELINE: Readonly<Record<RecsysKind, number>> = {
  random: 0.5,
  popularity: 0.5,
  'reddit-hot': 0.5,
  twitter: 0.25,
  interest: 0.5,
  trace: 0.5,
  mf: 0.5,
  lightgcn: 0.5,
  multvae: 0.5,
};

/** Feed slots given to the home timeline: ⌈share × feed_size⌉. */
export function homeTimelineSlots(config: Pick<RecsysConfig, 'kind' | 'home_timeline' | 'feed_size'>): number {
  // Less a hair: 0.1 × 30 is 3.0000000000000004 in binary and must stay 3 slots.
  return Math.ceil((config.home_timeline ?? DEFAULT_HOME_TIMELINE[config.kind]) * config.feed_size - 1e-9);
}
