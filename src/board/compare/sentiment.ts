/**
 * Mean sentiment per step for the compare page: the run's sentiment analysis (VADER compound
 * score of each post agents wrote during the run, analysis/sentiment.ts, sampled the same way
 * above 100,000 posts) folded from step × cohort into step. Scoring takes seconds on a large
 * run, so the page asks for it separately, after its other charts.
 */
import type { SimDb } from '../../analysis/open.js';
import type { TrackSettings } from '../../analysis/settings.js';

export interface StepSentimentPoint {
  step: number;
  /** Mean compound score in [−1, 1] of the step's scored posts. */
  mean: number;
  posts: number;
}

export interface RunSentiment {
  /** Posts scored, and posts that qualified (more when the run was sampled). */
  scored: number;
  eligible: number;
  steps: StepSentimentPoint[];
}

export async function sentimentPerStep(db: SimDb, track: TrackSettings): Promise<RunSentiment> {
  // Loaded on first use: VADER's lexicon is not needed to start the board.
  const { sentiment } = await import('../../analysis/sentiment.js');
  const s = await sentiment(db, track, 'sim');
  const byStep = new Map<number, { sum: number; posts: number }>();
  for (const c of s.byStep) {
    const at = byStep.get(c.step) ?? byStep.set(c.step, { sum: 0, posts: 0 }).get(c.step)!;
    at.sum += c.mean * c.posts;
    at.posts += c.posts;
  }
  return {
    scored: s.scored,
    eligible: s.eligible,
    steps: [...byStep].sort((a, b) => a[0] - b[0]).map(([step, { sum, posts }]) => ({ step, mean: sum / posts, posts })),
  };
}
