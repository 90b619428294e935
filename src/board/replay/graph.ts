/**
 * The follow graph one hop around an agent as of step t: whom it follows, who follows it, and
 * the follows among those, laid out with the report's seeded force layout (same run, agent and
 * step → the same picture) so the browser only draws points and rules.
 *
 * `follows` keeps the follows standing at the end of the run (an unfollow deletes the row, a
 * later follow adds one with its own step), so a follow standing at t and undone after t is put
 * back from the trace: an unfollow after t whose pair was last followed by t, or never followed
 * in the trace at all (the dataset's follows, there from step 0).
 */
import { Rng } from '../../common/rng.js';
import type { SimDb } from '../../analysis/open.js';
import { forceLayout } from '../../report/graph-layout.js';
import { BoardError } from '../http.js';

export type Role = 'agent' | 'followee' | 'follower' | 'mutual';

export interface GraphNode {
  user_id: number;
  username: string;
  cohort: string;
  /** Mean of the persona's topic stances in [−1, 1]; null when it holds none. */
  stance: number | null;
  role: Role;
  x: number;
  y: number;
}

export interface GraphEdge {
  source: number;
  target: number;
}

export interface EgoGraph {
  step: number;
  agent: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  followees: number;
  followers: number;
  /** Neighbours left out by the cap. */
  left_out: number;
}

/** SQL for the (follower_id, followee_id) pairs standing at the end of step $t, among those `where` keeps. */
function followsAt(where: (f: string, e: string) => string): string {
  // Unfollows after t first (few), then only those pairs' follow history: parsing the JSON args
  // of every traced follow costs tens of ms a call on a 100k-agent run.
  return `WITH un AS MATERIALIZED (
      SELECT DISTINCT follower_id, followee_id FROM (
        SELECT agent_id AS follower_id, CAST(args->>'user_id' AS INTEGER) AS followee_id FROM trace WHERE ok AND action = 'unfollow' AND step > $t)
      WHERE ${where('follower_id', 'followee_id')}),
    ev AS MATERIALIZED (
      SELECT * FROM (
        SELECT agent_id AS follower_id, CAST(args->>'user_id' AS INTEGER) AS followee_id, action, step, seq FROM trace
        WHERE ok AND action IN ('follow', 'unfollow') AND agent_id IN (SELECT follower_id FROM un))
      WHERE (follower_id, followee_id) IN (SELECT (follower_id, followee_id) FROM un)),
    undone AS (
      SELECT follower_id, followee_id FROM (
        SELECT *, lag(action) OVER w AS prev_action, lag(step) OVER w AS prev_step FROM ev
        WINDOW w AS (PARTITION BY follower_id, followee_id ORDER BY seq))
      WHERE action = 'unfollow' AND step > $t AND (prev_action IS NULL OR (prev_action = 'follow' AND prev_step <= $t)))
    SELECT follower_id, followee_id FROM follows WHERE created_step <= $t AND ${where('follower_id', 'followee_id')}
    UNION SELECT follower_id, followee_id FROM undone`;
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

export async function egoGraph(db: SimDb, agent: number, step: number, cap = 150): Promise<EgoGraph> {
  const me = await db.one<{ user_id: number }>(`SELECT user_id FROM users WHERE user_id = $1`, [agent]);
  if (!me) throw new BoardError(404, `no user ${agent} in this run`);
  const around = await db.query<{ follower_id: number; followee_id: number }>(followsAt((f, e) => `(${f} = $a OR ${e} = $a)`), { a: agent, t: step });
  const out = new Set(around.filter((r) => r.follower_id === agent).map((r) => r.followee_id));
  const inn = new Set(around.filter((r) => r.followee_id === agent).map((r) => r.follower_id));
  const role = (id: number): Role => (id === agent ? 'agent' : out.has(id) && inn.has(id) ? 'mutual' : out.has(id) ? 'followee' : 'follower');
  // Mutuals first, then followees, then followers, by id: a stable choice under the cap.
  const rank = { agent: 0, mutual: 1, followee: 2, follower: 3 } as const;
  const neighbours = [...new Set([...out, ...inn])].filter((id) => id !== agent).sort((a, b) => rank[role(a)] - rank[role(b)] || a - b);
  const kept = [agent, ...neighbours.slice(0, Math.max(cap - 1, 0))];
  const list = kept.map((id) => String(Math.floor(id))).join(', ');
  const among = await db.query<{ follower_id: number; followee_id: number }>(followsAt((f, e) => `${f} IN (${list}) AND ${e} IN (${list})`), { t: step });
  const users = await db.query<{ user_id: number; username: string; cohort: string; stance: string | null }>(
    `SELECT user_id, username, cohort, json_extract(persona, '$.stance')::VARCHAR AS stance FROM users WHERE user_id IN (${list})`,
  );
  const byId = new Map(users.map((u) => [u.user_id, u]));
  const cohorts = [...new Set(users.map((u) => u.cohort))].sort();
  // UNION hands rows back in no fixed order, and the layout's floating-point sums follow edge order.
  const edges = among
    .filter((e) => e.follower_id !== e.followee_id)
    .sort((a, b) => a.follower_id - b.follower_id || a.followee_id - b.followee_id)
    .map((e) => ({ source: e.follower_id, target: e.followee_id }));
  const at = forceLayout(
    kept.map((id) => ({ id: String(id), community: cohorts.indexOf(byId.get(id)?.cohort ?? '') })),
    edges.map((e) => ({ source: String(e.source), target: String(e.target), weight: 1 })),
    Rng.derive('board-replay-graph', agent, step),
  );
  const nodes = kept.map((id): GraphNode => {
    const u = byId.get(id);
    const stance = u?.stance ? mean(Object.values(JSON.parse(u.stance) as Record<string, number>).filter((v) => typeof v === 'number')) : null;
    const p = at.get(String(id)) ?? { x: 0.5, y: 0.5 };
    return { user_id: id, username: u?.username ?? `#${id}`, cohort: u?.cohort ?? '', stance, role: role(id), x: p.x, y: p.y };
  });
  return { step, agent, nodes, edges, followees: out.size, followers: inn.size, left_out: Math.max(neighbours.length - (cap - 1), 0) };
}
