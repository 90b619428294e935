/**
 * Hot news by text clustering: per window of `window` steps (the trends' window), the posts
 * agents wrote are clustered on their TF-IDF vectors by seeded spherical k-means, k =
 * clamp(⌊√(n / 4)⌋, 1, 8) for n posts; each cluster is labelled by its centroid's three
 * heaviest terms (stop words and words under three letters left out) and ranked by growth, its posts in the window's second half minus its first
 * (a story that broke late in the window ranks first). Its posts per step show when it
 * emerged. TF-IDF only: no embedding model is used here. At most 3,000 posts a window (a fixed
 * sample by post-id hash).
 */
import { Rng } from '../common/rng.js';
import { sphericalKMeans } from './kmeans.js';
import { memoized } from './memo.js';
import type { SimDb } from './open.js';
import { sideCondition, sideSteps, type Side } from './sides.js';
import { tfidfVectors } from './tfidf-vectors.js';
import { DEFAULT_TREND_WINDOW, STOPWORDS } from './trends.js';

export const CLUSTER_SAMPLE = 3_000;
export const MAX_CLUSTERS = 8;
const LABEL_TERMS = 3;
/** Terms a label leaves out: the trends' stop words and words under three letters (a #tag always counts). */
const STOP = new Set(STOPWORDS);
const labelTerm = (t: string): boolean => t.startsWith('#') || (t.length >= 3 && !STOP.has(t));

export interface NewsCluster {
  /** First step of the window. */
  from_step: number;
  /** Rank in the window by growth (1 = grew most). */
  rank: number;
  label: string;
  posts: number;
  growth: number;
  first_step: number;
  peak_step: number;
}

export interface ClusterStep {
  from_step: number;
  rank: number;
  step: number;
  posts: number;
}

export interface HotNews {
  window: number;
  clusters: NewsCluster[];
  steps: ClusterStep[];
}

export function clusterCount(posts: number): number {
  return Math.min(MAX_CLUSTERS, Math.max(1, Math.floor(Math.sqrt(posts / 4))));
}

/**
 * One side's news clusters per window (agents' posts by default; the dataset's real posts on
 * steps of the run's length from the first of them, as in trends); `seed` starts each window's
 * k-means (with the window).
 */
export async function hotNews(db: SimDb, seed: number, window = DEFAULT_TREND_WINDOW, side: Side = 'sim', stepMs = 3_600_000): Promise<HotNews> {
  return memoized(db, 'hotNews', [seed, window, side, stepMs], () => computeHotNews(db, seed, window, side, stepMs));
}

async function computeHotNews(db: SimDb, seed: number, window: number, side: Side, stepMs: number): Promise<HotNews> {
  const w = Math.max(1, Math.floor(window));
  const { from, step } = await sideSteps(db, side, stepMs);
  const rows = await db.query<{ win: number; step: number; text: string }>(
    `SELECT win, step, text FROM (
       SELECT (step // ${w})::INTEGER AS win, step, text, post_id,
              row_number() OVER (PARTITION BY step // ${w} ORDER BY hash(post_id)) AS k
       FROM (SELECT ${step} AS step, p.text, p.post_id FROM ${from} WHERE ${await sideCondition(db, side)}))
     WHERE k <= ${CLUSTER_SAMPLE} ORDER BY win, post_id`,
  );
  const byWindow = new Map<number, { step: number; text: string }[]>();
  for (const r of rows) (byWindow.get(r.win) ?? byWindow.set(r.win, []).get(r.win)!).push(r);
  const clusters: NewsCluster[] = [];
  const steps: ClusterStep[] = [];
  for (const [win, posts] of [...byWindow].sort((a, b) => a[0] - b[0])) {
    const from = win * w;
    const vectors = tfidfVectors(posts.map((p) => p.text));
    const { assignment, centroids } = sphericalKMeans(vectors, clusterCount(posts.length), Rng.derive(seed, 'hot-news', from));
    const mid = from + w / 2;
    const found = centroids.map((centroid, c) => {
      const members = posts.filter((_, i) => assignment[i] === c);
      const perStep = new Map<number, number>();
      for (const m of members) perStep.set(m.step, (perStep.get(m.step) ?? 0) + 1);
      const label = [...centroid].filter(([t]) => labelTerm(t)).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, LABEL_TERMS).map(([t]) => t).join(' ');
      const late = members.filter((m) => m.step >= mid).length;
      const ordered = [...perStep].sort((a, b) => a[0] - b[0]);
      const peak = ordered.reduce((best, s) => (s[1] > best[1] ? s : best), ordered[0] ?? [from, 0]);
      return { label, posts: members.length, growth: late - (members.length - late), first_step: ordered[0]?.[0] ?? from, peak_step: peak[0], perStep: ordered };
    });
    found
      .filter((f) => f.posts > 0)
      .sort((a, b) => b.growth - a.growth || b.posts - a.posts || a.label.localeCompare(b.label))
      .forEach((f, i) => {
        clusters.push({ from_step: from, rank: i + 1, label: f.label, posts: f.posts, growth: f.growth, first_step: f.first_step, peak_step: f.peak_step });
        for (const [step, n] of f.perStep) steps.push({ from_step: from, rank: i + 1, step, posts: n });
      });
  }
  return { window: w, clusters, steps };
}
