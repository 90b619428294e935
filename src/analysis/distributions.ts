/**
 * Per-user distributions and the action mix of a run beside the experiment's real data.
 *
 * Definitions (the real side is whatever the dataset loaded into real_posts / real_follows):
 * - Posts per user. Sim: rows of `posts` (every kind, reposts included, deleted ones too) with
 *   created_step ≥ 1 written by agents: what agents did during the run, leaving out the imported
 *   history and the scripted seed accounts. Real: rows of real_posts per author_id (every kind).
 *   Only users with at least one post appear on either side: real_posts knows no silent users,
 *   and a log-log plot cannot show 0.
 * - Followers per user. Sim: `follows` at the end of the run (unfollowed edges are gone) per
 *   followee, every account. Real: real_follows per followee. Distinct followers; users with
 *   none are absent, as above.
 * - Action mix. Sim: applied (ok) trace actions of agents. The post-creating ones map to
 *   real_posts kinds (create_post → original, repost → repost, quote_post → quote,
 *   reply → comment) and are compared as shares of those four; the full mix of every action
 *   type is returned too, for the sim only (the real data has no likes, follows, …).
 */
import type { SimDb } from './open.js';
import { realDataCounts } from './real-cascades.js';

export interface DistributionRow {
  source: 'sim' | 'real';
  /** Posts (or followers) of a user. */
  value: number;
  /** Users with exactly `value`. */
  users: number;
  /** users / all users of this source. */
  share: number;
  /** Fraction of this source's users with at least `value` (complementary CDF). */
  ccdf: number;
}

export interface DistributionSummary {
  source: 'sim' | 'real';
  users: number;
  mean: number;
  median: number;
  max: number;
}

/** From per-user counts `per(user, n)` to the histogram with share and CCDF, one source. */
const histogramSql = (source: 'sim' | 'real', perUser: string): string => `
  WITH per AS (${perUser}),
  hist AS (SELECT n AS value, count(*) AS users FROM per GROUP BY n)
  SELECT '${source}' AS source, value::INTEGER AS value, users::INTEGER AS users,
         (users / sum(users) OVER ())::DOUBLE AS share,
         (sum(users) OVER (ORDER BY value DESC) / sum(users) OVER ())::DOUBLE AS ccdf
  FROM hist ORDER BY value`;

export const SIM_POSTS_PER_USER = `
  SELECT p.author_id AS user_id, count(*) AS n FROM posts p
  WHERE p.created_step >= 1 AND p.author_id IN (SELECT user_id FROM users WHERE kind = 'agent')
  GROUP BY p.author_id`;
export const REAL_POSTS_PER_USER = `SELECT author_id AS user_id, count(*) AS n FROM real_posts GROUP BY author_id`;
export const SIM_FOLLOWERS = `SELECT followee_id AS user_id, count(DISTINCT follower_id) AS n FROM follows GROUP BY followee_id`;
export const REAL_FOLLOWERS = `SELECT followee_id AS user_id, count(DISTINCT follower_id) AS n FROM real_follows GROUP BY followee_id`;

/** Posts per user, simulated and (when real_posts has rows) real. */
export async function postsPerUser(db: SimDb): Promise<DistributionRow[]> {
  const real = (await realDataCounts(db)).posts > 0;
  return [
    ...(await db.query<DistributionRow>(histogramSql('sim', SIM_POSTS_PER_USER))),
    ...(real ? await db.query<DistributionRow>(histogramSql('real', REAL_POSTS_PER_USER)) : []),
  ];
}

/** Followers per user, simulated (follows at the end) and (when real_follows has rows) real. */
export async function followersPerUser(db: SimDb): Promise<DistributionRow[]> {
  const real = (await realDataCounts(db)).follows > 0;
  return [
    ...(await db.query<DistributionRow>(histogramSql('sim', SIM_FOLLOWERS))),
    ...(real ? await db.query<DistributionRow>(histogramSql('real', REAL_FOLLOWERS)) : []),
  ];
}

/** Users, mean, median (lower middle value) and max of each source's histogram. */
export function summarizeDistribution(rows: readonly DistributionRow[]): DistributionSummary[] {
  const out: DistributionSummary[] = [];
  for (const source of ['sim', 'real'] as const) {
    const hist = rows.filter((r) => r.source === source).sort((a, b) => a.value - b.value);
    const users = hist.reduce((a, r) => a + r.users, 0);
    if (users === 0) continue;
    let seen = 0;
    let median = 0;
    for (const r of hist) {
      seen += r.users;
      if (seen * 2 >= users) {
        median = r.value;
        break;
      }
    }
    out.push({
      source,
      users,
      mean: hist.reduce((a, r) => a + r.value * r.users, 0) / users,
      median,
      max: hist[hist.length - 1]?.value ?? 0,
    });
  }
  return out;
}

/** Trace action → real_posts kind, for the actions that create a post. */
export const ACTION_POST_KIND: Readonly<Record<string, string>> = {
  create_post: 'original',
  repost: 'repost',
  quote_post: 'quote',
  reply: 'comment',
};
export const POST_KINDS = ['original', 'repost', 'quote', 'comment'] as const;

export interface KindShareRow {
  source: 'sim' | 'real';
  kind: string;
  count: number;
  /** Share among this source's counted posts (the four kinds; real data may add odd ones). */
  share: number;
}

export interface ActionShareRow {
  action: string;
  count: number;
  /** Share among all applied agent actions. */
  share: number;
}

export interface ActionMix {
  kinds: KindShareRow[];
  actions: ActionShareRow[];
}

/** Post-kind shares (sim from trace, real from real_posts) and the sim's full action mix. */
export async function actionMix(db: SimDb): Promise<ActionMix> {
  const actions = await db.query<ActionShareRow>(`
    SELECT action, count(*)::INTEGER AS count, (count(*) / sum(count(*)) OVER ())::DOUBLE AS share
    FROM trace WHERE ok AND agent_id IN (SELECT user_id FROM users WHERE kind = 'agent')
    GROUP BY action ORDER BY count DESC, action`);
  const simKinds = new Map<string, number>();
  for (const a of actions) {
    const kind = ACTION_POST_KIND[a.action];
    if (kind !== undefined) simKinds.set(kind, (simKinds.get(kind) ?? 0) + a.count);
  }
  const simTotal = [...simKinds.values()].reduce((a, b) => a + b, 0);
  const kinds: KindShareRow[] =
    simTotal > 0 ? POST_KINDS.map((kind) => ({ source: 'sim', kind, count: simKinds.get(kind) ?? 0, share: (simKinds.get(kind) ?? 0) / simTotal })) : [];
  if ((await realDataCounts(db)).posts > 0) {
    const real = await db.query<{ kind: string; count: number }>(
      `SELECT kind, count(*)::INTEGER AS count FROM real_posts GROUP BY kind ORDER BY kind`,
    );
    const total = real.reduce((a, r) => a + r.count, 0);
    const known = new Set<string>(POST_KINDS);
    // Every listed kind appears on both sides (0 when absent) so bars line up; odd kinds follow.
    for (const kind of [...POST_KINDS, ...real.map((r) => r.kind).filter((k) => !known.has(k))]) {
      const count = real.find((r) => r.kind === kind)?.count ?? 0;
      kinds.push({ source: 'real', kind, count, share: count / total });
    }
  }
  return { kinds, actions };
}
