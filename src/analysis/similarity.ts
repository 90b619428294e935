/**
 * Similarity to human behaviour: how far what the agents did lies from the dataset's real
 * users, three ways.
 * - Style: each post's style features (text-features.ts) binned on fixed bins (BINS below, the
 *   same for every run so figures compare), real against simulated by Jensen–Shannon divergence
 *   (bits, 0 = same distribution, 1 = disjoint), for all agents and per cohort.
 * - Activity: posts per user, followers per user (distributions.ts's definitions) and the time
 *   between a user's consecutive posts (seconds; sim: posts agents wrote during the run, every
 *   kind; real: real_posts with a time), real against simulated by the two-sample KS statistic.
 * - A detector: logistic regression on the style features telling simulated posts from real
 *   ones, 5-fold cross-validated ROC AUC (0.5: indistinguishable). Folds and samples come from a
 *   hash of the post id, so the figure repeats.
 * Real posts are the dataset's own texts (sides.ts); without them only the simulated side's
 * style means are given.
 */
import { crossValidatedAuc } from './detector.js';
import { histogram, jensenShannon, ksDistance } from './divergence.js';
import { REAL_FOLLOWERS, REAL_POSTS_PER_USER, SIM_FOLLOWERS, SIM_POSTS_PER_USER } from './distributions.js';
import { memoized } from './memo.js';
import type { SimDb } from './open.js';
import { hasRealPosts, sideCondition, type Side } from './sides.js';
import { STYLE_FEATURES, styleOf, type StyleFeature } from './text-features.js';

/** Posts read per side (a uniform sample by post-id hash beyond this). */
export const STYLE_SAMPLE = 50_000;
/** Posts per class the detector trains on. */
export const DETECTOR_SAMPLE = 3_000;
export const DETECTOR_FOLDS = 5;

const range = (from: number, to: number, step: number): number[] => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => from + i * step);
/** Bin edges per feature: counts as 0, 1, 2, 3, 4, 5+; shares in tenths; length in 20s up to 280+; readability in 10s from below 0 to 100+. */
export const BINS: Readonly<Record<StyleFeature, readonly number[]>> = {
  length: range(0, 300, 20),
  ttr: range(0, 1.1, 0.1),
  hashtags: range(0, 6, 1),
  mentions: range(0, 6, 1),
  urls: range(0, 6, 1),
  emoji: range(0, 6, 1),
  capitals: range(0, 1.1, 0.1),
  readability: range(-10, 110, 10),
};

export interface StyleDivergence {
  /** 'all' or a cohort name. */
  cohort: string;
  feature: StyleFeature;
  jsd: number;
  sim_mean: number;
  real_mean: number;
  sim_posts: number;
  real_posts: number;
}

export interface ActivityDistance {
  measure: 'posts_per_user' | 'followers_per_user' | 'inter_event_s';
  ks: number;
  sim_n: number;
  real_n: number;
  sim_median: number;
  real_median: number;
}

export interface Similarity {
  /** Whether the run holds real posts to compare with. */
  real: boolean;
  style: StyleDivergence[];
  activity: ActivityDistance[];
  /** Detector AUC per cohort ('all' first); empty without real posts. */
  detector: { cohort: string; auc: number; sim_posts: number; real_posts: number }[];
}

interface StyledPost {
  cohort: string;
  hash: number;
  style: Record<StyleFeature, number>;
}

async function styledPosts(db: SimDb, side: Side): Promise<StyledPost[]> {
  const rows = await db.query<{ cohort: string; text: string; h: number }>(
    `SELECT coalesce(u.cohort, '?') AS cohort, p.text, (hash(p.post_id) % 1000003)::INTEGER AS h
     FROM posts p LEFT JOIN users u ON u.user_id = p.author_id
     WHERE ${await sideCondition(db, side)} ORDER BY hash(p.post_id) LIMIT ${STYLE_SAMPLE}`,
  );
  return rows.map((r) => ({ cohort: r.cohort, hash: r.h, style: styleOf(r.text) }));
}

const mean = (xs: readonly number[]): number => {
  const ok = xs.filter((x) => !Number.isNaN(x));
  return ok.length === 0 ? Number.NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
};
const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

function styleRows(cohort: string, sim: readonly StyledPost[], real: readonly StyledPost[]): StyleDivergence[] {
  return STYLE_FEATURES.map((feature) => {
    const a = sim.map((p) => p.style[feature]);
    const b = real.map((p) => p.style[feature]);
    return { cohort, feature, jsd: jensenShannon(histogram(a, BINS[feature]), histogram(b, BINS[feature])), sim_mean: mean(a), real_mean: mean(b), sim_posts: a.length, real_posts: b.length };
  });
}

function detectorRow(cohort: string, sim: readonly StyledPost[], real: readonly StyledPost[]): Similarity['detector'][number] {
  const take = (xs: readonly StyledPost[]): StyledPost[] => [...xs].sort((p, q) => p.hash - q.hash).slice(0, DETECTOR_SAMPLE);
  const s = take(sim);
  const r = take(real);
  const rows = [...s, ...r];
  const result = crossValidatedAuc(
    rows.map((p) => STYLE_FEATURES.map((f) => p.style[f])),
    rows.map((_, i) => i < s.length),
    rows.map((p) => p.hash % DETECTOR_FOLDS),
  );
  return { cohort, auc: result.auc, sim_posts: s.length, real_posts: r.length };
}

const perUser = async (db: SimDb, sql: string): Promise<number[]> => (await db.query<{ n: number }>(`SELECT n::DOUBLE AS n FROM (${sql})`)).map((r) => r.n);

/** Seconds between consecutive posts of each user, from `source` rows (user_id, t TIMESTAMP). */
const gapsSql = (source: string): string => `
  SELECT n FROM (SELECT epoch(t - lag(t) OVER (PARTITION BY user_id ORDER BY t))::DOUBLE AS n FROM (${source})) WHERE n IS NOT NULL`;
const SIM_TIMES = `SELECT p.author_id AS user_id, p.created_at AS t FROM posts p
  WHERE p.created_step >= 1 AND p.author_id IN (SELECT user_id FROM users WHERE kind = 'agent')`;
const REAL_TIMES = `SELECT author_id AS user_id, created_at AS t FROM real_posts WHERE created_at IS NOT NULL`;

function distance(measure: ActivityDistance['measure'], sim: number[], real: number[]): ActivityDistance {
  return { measure, ks: ksDistance(sim, real), sim_n: sim.length, real_n: real.length, sim_median: median(sim), real_median: median(real) };
}

/** The run's similarity to its dataset's real users. */
export async function similarity(db: SimDb): Promise<Similarity> {
  return memoized(db, 'similarity', [], () => computeSimilarity(db));
}

async function computeSimilarity(db: SimDb): Promise<Similarity> {
  const real = await hasRealPosts(db);
  const sim = await styledPosts(db, 'sim');
  const realPosts = real ? await styledPosts(db, 'real') : [];
  const cohorts = [...new Set(sim.map((p) => p.cohort))].sort();
  const style = [...styleRows('all', sim, realPosts), ...(cohorts.length > 1 ? cohorts.flatMap((c) => styleRows(c, sim.filter((p) => p.cohort === c), realPosts)) : [])];
  const activity: ActivityDistance[] = [];
  const realActivity = (await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM real_posts`))?.n ?? 0;
  if (realActivity > 0) {
    activity.push(distance('posts_per_user', await perUser(db, SIM_POSTS_PER_USER), await perUser(db, REAL_POSTS_PER_USER)));
    activity.push(distance('inter_event_s', await perUser(db, gapsSql(SIM_TIMES)), await perUser(db, gapsSql(REAL_TIMES))));
  }
  if (((await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM real_follows`))?.n ?? 0) > 0) {
    activity.push(distance('followers_per_user', await perUser(db, SIM_FOLLOWERS), await perUser(db, REAL_FOLLOWERS)));
  }
  const detector = real && sim.length > 0
    ? [detectorRow('all', sim, realPosts), ...(cohorts.length > 1 ? cohorts.map((c) => detectorRow(c, sim.filter((p) => p.cohort === c), realPosts)) : [])]
    : [];
  return { real, style, activity, detector };
}
