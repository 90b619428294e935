import { windowBudgetSteps } from '../config/capacity.js';
import type { Experiment } from '../config/types.js';

const WEEK_MS = 7 * 24 * 3_600_000;
/** The trends window's default (config/types.ts TrendsConfig). */
const DEFAULT_TRENDS_WINDOW = 6;

/**
 * Steps of posts the mirror keeps (channel/window.ts): `platform.memory_window`, never less
 * than what the platform reads from memory — every recommender window of the run (set_recsys
 * included; the home timeline reads the same window) and twice the trends window (velocity
 * compares a window with the one before). Left out, 7 days of steps, like Twitter's standard
 * search over recent days — every run shorter than a week keeps all its posts, as it did
 * before the window existed — but no more steps than the post budget allows for the run's
 * accounts (config/capacity.ts: 4,194,304 posts at 0.075 a step per account; 55 steps at
 * 1,000,000 agents, where a week of hourly steps would keep 12.6 million posts), and never
 * less than what the platform reads.
 */
export function memoryWindowOf(exp: Experiment): number {
  let needed = 2 * (exp.platform.trends?.window ?? DEFAULT_TRENDS_WINDOW);
  needed = Math.max(needed, exp.recsys.window);
  for (const iv of exp.interventions ?? []) if (iv.action === 'set_recsys' && typeof iv.recsys.window === 'number') needed = Math.max(needed, iv.recsys.window);
  const set = exp.platform.memory_window;
  if (set !== undefined) return Math.max(set, needed);
  const accounts = exp.cohorts.reduce((n, c) => n + c.count, 0) + exp.seeds.length;
  return Math.max(needed, Math.min(Math.ceil(WEEK_MS / exp.clock.step_ms), windowBudgetSteps(accounts)));
}
