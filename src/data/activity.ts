import type { Rng } from '../common/rng.js';
import { perStepProbability } from '../config/durations.js';
import type { CohortConfig } from '../config/types.js';
import type { FilledGenerate } from './generate-options.js';

/** Draws one agent's activity (probability of acting in a step) for a cohort. */
export type ActivitySampler = (rng: Rng) => number;

/** Activity is a probability; 0 would make an agent that can never act, so draws stop here. */
const FLOOR = 1e-6;

/**
 * A sampler whose draws, clamped to (0, 1], average `mean` (the cohort's `activity`).
 * Heavy-tailed kinds put most agents well below the mean and a few at or near 1, as real
 * posting rates are; their location parameter is solved numerically for the clamped mean.
 */
export function activitySampler(dist: FilledGenerate['activity_distribution'], mean: number): ActivitySampler {
  if (mean >= 1) return () => 1;
  switch (dist.kind) {
    case 'beta': {
      // Exactly the draw generation always made, so existing experiments keep their agents.
      const m = Math.min(Math.max(mean, 1e-4), 1 - 1e-4);
      const c = dist.concentration;
      return (rng) => rng.beta(m * c, (1 - m) * c);
    }
    case 'lognormal': {
      const sigma = dist.sigma;
      const mu = solveIncreasing((mu) => lognormalClampedMean(mu, sigma), Math.max(mean, FLOOR), -60, 10);
      return (rng) => clamp(Math.exp(mu + sigma * rng.normal()));
    }
    case 'pareto': {
      const alpha = dist.alpha;
      const logXm = solveIncreasing((lx) => paretoClampedMean(Math.exp(lx), alpha), Math.max(mean, FLOOR), -60, 0);
      const xm = Math.exp(logXm);
      return (rng) => clamp(xm * Math.pow(1 - rng.next(), -1 / alpha));
    }
  }
}

/**
 * A cohort's sampler. Activity written per step: draws around it, as always. Written
 * `{ per_hour: p }`: draws around p, each agent's hourly probability then converted to the
 * step (1 − (1 − a)^step_hours), so the same seed gives the same agents at every step length.
 */
export function cohortActivitySampler(dist: FilledGenerate['activity_distribution'], cohort: Pick<CohortConfig, 'activity' | 'hourly_activity'>): ActivitySampler {
  const hourly = cohort.hourly_activity;
  if (!hourly) return activitySampler(dist, cohort.activity);
  const perHour = activitySampler(dist, hourly.per_hour);
  return (rng) => perStepProbability(perHour(rng), hourly.step_hours);
}

function clamp(x: number): number {
  return Math.min(1, Math.max(FLOOR, x));
}

/** x in [lo, hi] with f(x) = target for an increasing f, by bisection (f is cheap). */
function solveIncreasing(f: (x: number) => number, target: number, lo: number, hi: number): number {
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** E[min(X, 1)] for X = exp(mu + sigma Z). */
export function lognormalClampedMean(mu: number, sigma: number): number {
  return Math.exp(mu + (sigma * sigma) / 2) * normalCdf((-mu - sigma * sigma) / sigma) + 1 - normalCdf(-mu / sigma);
}

/** E[min(X, 1)] for X Pareto with scale xm and tail index alpha. */
export function paretoClampedMean(xm: number, alpha: number): number {
  if (xm >= 1) return 1;
  const below = Math.abs(alpha - 1) < 1e-9 ? xm * Math.log(1 / xm) : (alpha * Math.pow(xm, alpha) * (1 - Math.pow(xm, 1 - alpha))) / (1 - alpha);
  return below + Math.pow(xm, alpha);
}

function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
