/**
 * The herding experiment's outcome (experiment.herding, engine/herding.ts): per arm (up, down,
 * control) and per step since treatment, the mean net score (likes − dislikes) of the treated
 * posts, with a 95 % t-interval over posts. Two measures: `agents`, the agents' own votes (the
 * herding signal: what the treatment made others do), and `with treatment`, the score a reader
 * sees (agents' votes plus the platform's +1 / −1).
 *
 * Votes are counted from `trace` (ok like / unlike / dislike / undo_dislike), so a score at
 * age a is the post's net score as it stood at the end of step (treatment step + a), undone
 * votes included at the time they stood. A post counts at age a only when the run got that far.
 */
import { t95 } from '../sweep/stats.js';
import type { SimDb } from './open.js';

export type HerdingArmName = 'up' | 'down' | 'control';
export type HerdingMeasure = 'agents' | 'with treatment';

export const HERDING_ARMS: readonly HerdingArmName[] = ['up', 'down', 'control'];
export const HERDING_MEASURES: readonly HerdingMeasure[] = ['agents', 'with treatment'];

/** Mean net score of one arm at one age, by one measure. */
export interface HerdingPoint {
  arm: HerdingArmName;
  /** Steps since treatment (0 = the step the post was written and voted on; agents see it from 1). */
  age: number;
  measure: HerdingMeasure;
  /** Posts of the arm observed at this age. */
  posts: number;
  mean: number;
  /** Sample standard deviation over posts; null for a single post. */
  sd: number | null;
  /** 95 % t-interval of the mean (the mean itself for a single post). */
  lo: number;
  hi: number;
}

/** A treated arm against control at the horizon: difference of means with a Welch 95 % interval. */
export interface HerdingEffect {
  arm: 'up' | 'down';
  measure: HerdingMeasure;
  diff: number;
  lo: number;
  hi: number;
}

export interface HerdingResult {
  /** Age whose scores are the final ones (meta herding.horizon). */
  horizon: number;
  /** Posts enrolled per arm (whatever their age). */
  enrolled: Record<HerdingArmName, number>;
  series: HerdingPoint[];
  /** The series at the horizon. */
  final: HerdingPoint[];
  /** up − control and down − control at the horizon, both measures (when the arms have posts). */
  effects: HerdingEffect[];
}

/** The design as the run recorded it (meta `herding`), or null when the run had no herding experiment. */
export async function herdingDesign(db: SimDb): Promise<{ horizon: number } | null> {
  const table = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'herding'`);
  if (!table?.n) return null;
  const meta = await db.one<{ value: string }>(`SELECT value FROM meta WHERE key = 'herding'`);
  if (!meta) return null;
  const parsed = JSON.parse(meta.value) as { horizon?: unknown };
  return { horizon: typeof parsed.horizon === 'number' ? parsed.horizon : 1 };
}

/** Mean, sd and 95 % t-interval from a group's count, mean and sample sd. */
export function tInterval(n: number, mean: number, sd: number | null): { lo: number; hi: number } {
  if (n < 2 || sd === null) return { lo: mean, hi: mean };
  const half = (t95(n - 1) * sd) / Math.sqrt(n);
  return { lo: mean - half, hi: mean + half };
}

/**
 * Welch's 95 % interval of mean(a) − mean(b): se = √(sa²/na + sb²/nb), degrees of freedom by
 * Welch–Satterthwaite, rounded down (the conservative side). The bare difference when either
 * group has fewer than two posts or both have no spread.
 */
export function welchInterval(a: { posts: number; mean: number; sd: number | null }, b: { posts: number; mean: number; sd: number | null }): { diff: number; lo: number; hi: number } {
  const diff = a.mean - b.mean;
  if (a.posts < 2 || b.posts < 2 || a.sd === null || b.sd === null) return { diff, lo: diff, hi: diff };
  const va = (a.sd * a.sd) / a.posts;
  const vb = (b.sd * b.sd) / b.posts;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { diff, lo: diff, hi: diff };
  const df = (va + vb) ** 2 / (va ** 2 / (a.posts - 1) + vb ** 2 / (b.posts - 1));
  const half = t95(Math.max(1, Math.floor(df))) * se;
  return { diff, lo: diff - half, hi: diff + half };
}

/**
 * Each enrolled post's agent net score at ages 0..horizon (as far as the run got): the SQL the
 * series aggregates. `treatment` is the platform's own vote (+1 up, −1 down, 0 control).
 */
const PER_POST = `
  WITH last AS (SELECT coalesce(max(step), -1) AS s FROM steps),
  votes AS (
    SELECT t.step, (t.args->>'post_id')::BIGINT AS post_id,
           CASE WHEN t.action IN ('like', 'undo_dislike') THEN 1 ELSE -1 END AS delta
    FROM trace t
    WHERE t.ok AND t.action IN ('like', 'unlike', 'dislike', 'undo_dislike')
      AND t.agent_id NOT IN (SELECT user_id FROM users WHERE kind = 'platform')
  ),
  ages AS (
    SELECT h.post_id, h.arm, h.step, a.age::INTEGER AS age
    FROM herding h, range(0, $horizon::BIGINT + 1) AS a(age)
    WHERE h.step + a.age <= (SELECT s FROM last)
  ),
  scored AS (
    SELECT g.post_id, g.arm, g.age,
           coalesce(sum(v.delta), 0)::DOUBLE AS agents,
           CASE g.arm WHEN 'up' THEN 1 WHEN 'down' THEN -1 ELSE 0 END AS treatment
    FROM ages g LEFT JOIN votes v ON v.post_id = g.post_id AND v.step <= g.step + g.age
    GROUP BY g.post_id, g.arm, g.age
  )`;

/** The herding experiment's series, final scores and effects; null when the run had none. */
export async function herdingResult(db: SimDb, opts: { horizon?: number } = {}): Promise<HerdingResult | null> {
  const design = await herdingDesign(db);
  if (!design && opts.horizon === undefined) return null;
  const horizon = opts.horizon ?? design!.horizon;
  const rows = await db.query<{ arm: HerdingArmName; age: number; posts: number; agents_mean: number; with_mean: number; sd: number | null }>(
    `${PER_POST}
     SELECT arm, age, count(*)::INTEGER AS posts, avg(agents)::DOUBLE AS agents_mean, avg(agents + treatment)::DOUBLE AS with_mean,
            stddev_samp(agents)::DOUBLE AS sd
     FROM scored GROUP BY arm, age ORDER BY arm, age`,
    { horizon },
  );
  const series: HerdingPoint[] = [];
  for (const r of rows) {
    // Adding the treatment shifts every post of the arm alike: same spread, interval shifted.
    for (const [measure, mean] of [['agents', r.agents_mean], ['with treatment', r.with_mean]] as const) {
      series.push({ arm: r.arm, age: r.age, measure, posts: r.posts, mean, sd: r.sd, ...tInterval(r.posts, mean, r.sd) });
    }
  }
  const order = (p: HerdingPoint): string => `${HERDING_MEASURES.indexOf(p.measure)}|${HERDING_ARMS.indexOf(p.arm)}|${String(p.age).padStart(6, '0')}`;
  series.sort((a, b) => order(a).localeCompare(order(b)));
  const counts = await db.query<{ arm: HerdingArmName; n: number }>(`SELECT arm, count(*)::INTEGER AS n FROM herding GROUP BY arm`);
  const enrolled = { up: 0, down: 0, control: 0 };
  for (const c of counts) enrolled[c.arm] = c.n;
  const final = series.filter((p) => p.age === horizon);
  return { horizon, enrolled, series, final, effects: effectsOf(final) };
}

/** up − control and down − control for each measure, from the points at one age. */
export function effectsOf(final: readonly HerdingPoint[]): HerdingEffect[] {
  const out: HerdingEffect[] = [];
  for (const measure of HERDING_MEASURES) {
    const at = (arm: HerdingArmName): HerdingPoint | undefined => final.find((p) => p.arm === arm && p.measure === measure);
    const control = at('control');
    if (!control) continue;
    for (const arm of ['up', 'down'] as const) {
      const treated = at(arm);
      if (treated) out.push({ arm, measure, ...welchInterval(treated, control) });
    }
  }
  return out;
}
