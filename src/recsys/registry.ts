import type { RecsysConfig } from '../config/types.js';
import { createPopularity } from './popularity.js';
import { createRandom } from './random.js';
import type { Recommender, RecommenderOptions } from './types.js';

const FACTORIES: Readonly<Record<RecsysConfig['kind'], (o: RecommenderOptions) => Recommender>> = {
  random: createRandom,
  popularity: createPopularity,
};

export const RECOMMENDER_KINDS = Object.keys(FACTORIES);

export function createRecommender(config: RecsysConfig, seed: number): Recommender {
  return FACTORIES[config.kind]({ seed, feedSize: config.feed_size });
}
