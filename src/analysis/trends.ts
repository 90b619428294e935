/**
 * Trends in what agents wrote: #hashtag and word counts per step and cohort, bursts flagged
 * against a trailing window, and the terms that rose most from one window to the next. Posts
 * written during the run (originals, quotes, replies; opening posts left out), all in SQL.
 *
 * A burst: a term counted c ≥ BURST_MIN times in a step where, had it kept its mean share of
 * that step's terms (of its kind: #tags or words) over the `window` steps before, it would have
 * been counted e times, and z = (c − e) / max(√e, 1) ≥ BURST_Z (a Poisson score against the
 * volume-adjusted expectation: a general rise in posting, like the morning's, moves nothing).
 */
import { memoized } from './memo.js';
import type { SimDb } from './open.js';
import { sideCondition, sideSteps, type Side } from './sides.js';

export const BURST_Z = 3;
export const BURST_MIN = 3;
export const DEFAULT_TREND_WINDOW = 6;

/** Words too common to be a trend (English function words and the templates' fillers). */
export const STOPWORDS: readonly string[] = [
  'the', 'and', 'for', 'are', 'but', 'not', 'you', 'all', 'any', 'can', 'had', 'her', 'was', 'one', 'our', 'out', 'has', 'his', 'how', 'its',
  'may', 'new', 'now', 'old', 'see', 'two', 'way', 'who', 'did', 'get', 'got', 'let', 'say', 'she', 'too', 'use', 'this', 'that', 'with', 'have',
  'from', 'they', 'will', 'would', 'there', 'their', 'what', 'about', 'which', 'when', 'make', 'like', 'just', 'than', 'then', 'them', 'these',
  'some', 'more', 'into', 'your', 'been', 'were', 'being', 'also', 'only', 'very', 'here', 'over', 'such', 'much', 'even', 'most', 'because',
];

export type TermKind = 'tag' | 'word';

export interface TermCount {
  step: number;
  cohort: string;
  kind: TermKind;
  term: string;
  count: number;
}

export interface Burst {
  step: number;
  kind: TermKind;
  term: string;
  count: number;
  /** The count its mean share over the `window` steps before would have given at this step's volume. */
  expected: number;
  z: number;
}

export interface Rising {
  /** First step of the window. */
  from_step: number;
  kind: TermKind;
  term: string;
  count: number;
  previous: number;
  growth: number;
}

export interface Trends {
  window: number;
  counts: TermCount[];
  bursts: Burst[];
  /** Per window of `window` steps, the 5 terms of each kind that grew most over the window before. */
  rising: Rising[];
}

const list = (words: readonly string[]): string => words.map((w) => `'${w}'`).join(', ');

/**
 * The CTE `t_terms(step, cohort, kind, term)`: one row per term occurrence in an eligible post
 * of `side`. The real side's posts are placed by their time in the dataset on steps of the
 * run's length, `stepMs` (default an hour), counted from the first real post, so their own time
 * gives the axis; their cohort is the account's.
 */
async function termsCte(db: SimDb, side: Side, stepMs: number): Promise<string> {
  const { from, step } = await sideSteps(db, side, stepMs);
  return `t_posts AS (
      SELECT ${step} AS step, coalesce(u.cohort, '?') AS cohort, lower(p.text) AS text
      FROM ${from}
      WHERE ${await sideCondition(db, side)}),
    t_terms AS (
      SELECT step, cohort, 'tag' AS kind, unnest(regexp_extract_all(text, '#([\\p{L}\\p{N}_]+)', 1)) AS term FROM t_posts
      UNION ALL
      SELECT step, cohort, 'word', w FROM (SELECT step, cohort, unnest(regexp_extract_all(regexp_replace(text, '#[\\p{L}\\p{N}_]+', ' ', 'g'), '\\p{L}{3,}')) AS w FROM t_posts)
      WHERE w NOT IN (${list(STOPWORDS)}))`;
}

/** One side's trends (agents' posts by default) over windows of `window` steps. */
export async function trends(db: SimDb, window = DEFAULT_TREND_WINDOW, side: Side = 'sim', stepMs = 3_600_000): Promise<Trends> {
  return memoized(db, 'trends', [window, side, stepMs], () => computeTrends(db, window, side, stepMs));
}

async function computeTrends(db: SimDb, window = DEFAULT_TREND_WINDOW, side: Side = 'sim', stepMs = 3_600_000): Promise<Trends> {
  const w = Math.max(1, Math.floor(window));
  const terms = await termsCte(db, side, stepMs);
  const counts = await db.query<TermCount>(
    `WITH ${terms} SELECT step, cohort, kind, term, count(*)::INTEGER AS count FROM t_terms GROUP BY ALL ORDER BY step, cohort, kind, count DESC, term`,
  );
  const bursts = await db.query<Burst>(
    `WITH ${terms},
     per AS (SELECT step, kind, term, count(*) AS c FROM t_terms GROUP BY ALL),
     volume AS (SELECT step, kind, sum(c) AS n FROM per GROUP BY ALL),
     span AS (SELECT min(step) AS lo, max(step) AS hi FROM per),
     grid AS (SELECT s.step, k.kind, k.term, coalesce(p.c, 0) AS c, coalesce(v.n, 0) AS n
              FROM (SELECT DISTINCT kind, term FROM per) k
              CROSS JOIN (SELECT unnest(generate_series(lo, hi)) AS step FROM span) s
              LEFT JOIN per p ON p.kind = k.kind AND p.term = k.term AND p.step = s.step
              LEFT JOIN volume v ON v.kind = k.kind AND v.step = s.step),
     scored AS (
       SELECT step, kind, term, c, n * avg(CASE WHEN n > 0 THEN c / n ELSE 0 END) OVER w AS e, count(*) OVER w AS steps
       FROM grid
       WINDOW w AS (PARTITION BY kind, term ORDER BY step ROWS BETWEEN ${w} PRECEDING AND 1 PRECEDING))
     SELECT step::INTEGER AS step, kind, term, c::INTEGER AS count, e::DOUBLE AS expected, ((c - e) / greatest(sqrt(e), 1))::DOUBLE AS z
     FROM scored WHERE steps = ${w} AND c >= ${BURST_MIN} AND (c - e) / greatest(sqrt(e), 1) >= ${BURST_Z}
     ORDER BY step, z DESC, term`,
  );
  const rising = await db.query<Rising>(
    `WITH ${terms},
     per AS (SELECT (step // ${w}) AS win, kind, term, count(*) AS c FROM t_terms GROUP BY ALL),
     wins AS (SELECT DISTINCT win FROM per),
     pairs AS (
       SELECT n.win, k.kind, k.term, coalesce(n.c, 0) AS c, coalesce(p.c, 0) AS prev
       FROM (SELECT DISTINCT kind, term FROM per) k CROSS JOIN wins w
       LEFT JOIN per n ON n.kind = k.kind AND n.term = k.term AND n.win = w.win
       LEFT JOIN per p ON p.kind = k.kind AND p.term = k.term AND p.win = w.win - 1),
     ranked AS (SELECT *, row_number() OVER (PARTITION BY win, kind ORDER BY c - prev DESC, term) AS r FROM pairs WHERE win > (SELECT min(win) FROM wins) AND c > prev)
     SELECT (win * ${w})::INTEGER AS from_step, kind, term, c::INTEGER AS count, prev::INTEGER AS previous, (c - prev)::INTEGER AS growth
     FROM ranked WHERE r <= 5 ORDER BY from_step, kind, growth DESC, term`,
  );
  return { window: w, counts, bursts, rising };
}
