import type { Experiment, RecsysConfig, RecsysKind } from '../config/types.js';
import { createPopularity } from './popularity.js';
import { createRandom } from './random.js';
import { createRedditHot } from './reddit-hot.js';
import { createTwitter } from './twitter.js';
import { createInterest } from './interest.js';
import { createTrace } from './trace.js';
import { createMf } from './mf.js';
import { createLightGcn } from './lightgcn.js';
import { createMultVae } from './multvae.js';
import type { Recommender, RecommenderOptions } from './types.js';

/** Kinds whose file has landed; the config schema lists every planned kind. */
const FACTORIES: Readonly<Partial<Record<RecsysKind, (o: RecommenderOptions) => Recommender>>> = {
  random: createRandom,
  popularity: createPopularity,
  'reddit-hot': createRedditHot,
  twitter: createTwitter,
  interest: createInterest,
  trace: createTrace,
  mf: createMf,
  lightgcn: createLightGcn,
  multvae: createMultVae,
};

export const RECOMMENDER_KINDS = Object.keys(FACTORIES) as RecsysKind[];

export function createRecommender(config: RecsysConfig, seed: number, clock: RecommenderOptions['clock']): Recommender {
  const factory = FACTORIES[config.kind];
  if (!factory) throw new Error(`recsys.kind ${config.kind} is not available yet (available: ${RECOMMENDER_KINDS.join(', ')})`);
  return factory({ seed, feedSize: config.feed_size, config, clock });
}

/** The experiment's recommender, on its simulated clock. */
export function recommenderFor(exp: Pick<Experiment, 'recsys' | 'seed' | 'clock'>): Recommender {
  return createRecommender(exp.recsys, exp.seed, { startMs: Date.parse(exp.clock.start), stepMs: exp.clock.step_ms });
}
