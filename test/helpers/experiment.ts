import { parseExperiment, type LoadOptions } from '../../src/config/load.js';
import type { Experiment } from '../../src/config/types.js';

/** A small experiment that still exercises every part of a step (seeds, both cohorts, refreshes). */
export const SMALL_YAML = `
name: small
seed: 7
clock: { timesteps: 6, step: 1h, start: 2024-06-17T08:00:00Z }
dataset:
  generate: { topics: [politics, tech, music], interests_per_agent: 2, follows_per_agent: 5 }
models:
  stat: { provider: statistical, post_prob: 0.3, like_base: 0.1, unlike_prob: 0.2, unfollow_prob: 0.2 }
  shy: { provider: statistical, post_prob: 0.05 }
cohorts:
  - { name: loud, count: 120, model: stat, activity: 0.5 }
  - { name: quiet, count: 80, model: shy, activity: 0.2 }
recsys: { kind: popularity, refresh_every: 2, feed_size: 10, window: 4 }
seeds:
  - name: Wire News
    kind: news
    followed_by: 0.5
    posts:
      - { at: 1, text: "BREAKING: something happened #politics", label: news }
`;

export function smallExperiment(opts: LoadOptions = {}): Experiment {
  return parseExperiment(SMALL_YAML, 'small.yaml', opts);
}
