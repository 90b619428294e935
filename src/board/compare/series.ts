/**
 * The per-step series the compare page draws for one run, read from its sim.duckdb in two
 * statements: posts and reposts as the sweep report counts them (analysis/run-metrics.ts, from
 * `posts`, opening posts left out), and from `steps` and `trace` the active agents, failed
 * actions and the applied like and follow actions. Likes and follows come from the trace, not
 * their tables: those keep only what still stands at the end (an unlike or unfollow deletes the
 * row, and `follows` holds the generated graph at step 0), so a like undone later would vanish
 * from its step and a branch's shared steps would differ from its parent's.
 */
import type { SimDb } from '../../analysis/open.js';
import { postsAndLikesPerStep } from '../../analysis/run-metrics.js';

export const SERIES = [
  { key: 'posts', title: 'posts per step' },
  { key: 'likes', title: 'likes per step' },
  { key: 'reposts', title: 'reposts per step' },
  { key: 'follows', title: 'follows per step' },
  { key: 'active_agents', title: 'active agents' },
  { key: 'failed_actions', title: 'failed actions' },
] as const;

export type SeriesKey = (typeof SERIES)[number]['key'];

export type StepFigures = { step: number } & Record<SeriesKey, number>;

interface StepsRow {
  step: number;
  active_agents: number;
  failed_actions: number;
  follows: number;
  likes: number;
}

/** One row per step the run committed or posted in, every series 0 where nothing happened. */
export async function runSeries(db: SimDb): Promise<StepFigures[]> {
  const made = await postsAndLikesPerStep(db);
  const steps = await db.query<StepsRow>(`
    WITH f AS (SELECT step, count(*) FILTER (WHERE action = 'follow') AS follows, count(*) FILTER (WHERE action = 'like') AS likes
               FROM trace WHERE ok AND action IN ('follow', 'like') GROUP BY step),
         s AS (SELECT step, any_value(active_agents) AS active_agents, any_value(failed_actions) AS failed_actions FROM steps GROUP BY step)
    SELECT coalesce(s.step, f.step)::INTEGER AS step,
           coalesce(s.active_agents, 0)::INTEGER AS active_agents,
           coalesce(s.failed_actions, 0)::INTEGER AS failed_actions,
           coalesce(f.follows, 0)::INTEGER AS follows,
           coalesce(f.likes, 0)::INTEGER AS likes
    FROM s FULL JOIN f ON f.step = s.step
    ORDER BY step`);
  const byStep = new Map<number, StepFigures>();
  const at = (step: number): StepFigures => {
    let row = byStep.get(step);
    if (!row) byStep.set(step, (row = { step, posts: 0, likes: 0, reposts: 0, follows: 0, active_agents: 0, failed_actions: 0 }));
    return row;
  };
  for (const m of made) Object.assign(at(m.step), { posts: m.posts, reposts: m.reposts });
  for (const s of steps) Object.assign(at(s.step), { active_agents: s.active_agents, failed_actions: s.failed_actions, follows: s.follows, likes: s.likes });
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}
