import type { Experiment } from '../config/types.js';

const WEEK_MS = 7 * 24 * 3_600_000;
/** The trends window's default (config/types.ts TrendsConfig). */
const DEFAULT_TRENDS_WINDOW = 6;

/**
 * Steps of posts the mirror keeps (channel/window.ts): `platform.memory_window`, never less
 * than what the platform reads from memory — every recommender window of the run (set_recsys
 * included; the home timeline reads the same window) and twice the trends window (velocity
 * compares a window with the one before). Left out, at least 7 days of steps, like Twitter's
 * standard search over recent days: every run shorter than a week keeps all its posts, as it
 * did before the window existed.
 */
export function memoryWindowOf(exp: Experiment): number {
  let needed = 2 * (exp.platform.trends?.window ?? DEFAULT_TRENDS_WINDOW);
  needed = Math.max(needed, exp.recsys.window);
  for (const iv of exp.interventions ?? []) if (iv.action === 'set_recsys' && typeof iv.recsys.window === 'number') needed = Math.max(needed, iv.recsys.window);
  const set = exp.platform.memory_window;
  return set !== undefined ? Math.max(set, needed) : Math.max(needed, Math.ceil(WEEK_MS / exp.clock.step_ms));
}
