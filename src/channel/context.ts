import { INTEGER, type DuckDBValue } from '@duckdb/node-api';
import type { ChannelDb } from './db.js';

/** Something that happened to an agent since its last turn. */
export interface Notification {
  readonly step: number;
  readonly kind: 'like' | 'repost' | 'follow';
  readonly fromUser: number;
  readonly fromUsername: string;
  readonly postId: number | null;
}

/** One of the agent's own recent actions, newest first. */
export interface MemoryItem {
  readonly step: number;
  readonly action: string;
  readonly args: string;
  readonly ok: boolean;
  readonly error: string | null;
}

export interface AgentContext {
  readonly notifications: Notification[];
  readonly memory: MemoryItem[];
}

/** At most this many notifications per agent and turn, newest first. */
const MAX_NOTIFICATIONS = 10;

async function withAgentTable<T>(db: ChannelDb, agents: readonly number[], work: () => Promise<T>): Promise<T> {
  await db.exec('CREATE TEMP TABLE IF NOT EXISTS ctx_agents (agent_id INTEGER)');
  await db.exec('DELETE FROM ctx_agents');
  const appender = await db.connection.createAppender('ctx_agents');
  for (const a of agents) {
    appender.appendValue(a as DuckDBValue, INTEGER);
    appender.endRow();
  }
  appender.closeSync();
  return work();
}

/**
 * Notifications since each agent's last turn (likes and reposts of its posts, new followers)
 * and its most recent own actions: two set queries for all the step's agents at once.
 */
export async function agentContexts(db: ChannelDb, agents: readonly number[], memorySize: number): Promise<Map<number, AgentContext>> {
  const out = new Map<number, AgentContext>(agents.map((a) => [a, { notifications: [], memory: [] }]));
  if (agents.length === 0) return out;
  await withAgentTable(db, agents, async () => {
    const notes = await db.query<{ agent: number; step: number; kind: Notification['kind']; from_user: number; from_username: string; post_id: number | null }>(
      `WITH last AS (
         SELECT a.agent_id, coalesce(max(t.step), -1) AS since FROM ctx_agents a LEFT JOIN trace t ON t.agent_id = a.agent_id GROUP BY a.agent_id
       ),
       events AS (
         SELECT p.author_id AS agent, l.created_step AS step, 'like' AS kind, l.user_id AS from_user, l.post_id
           FROM likes l JOIN posts p USING (post_id) WHERE l.user_id <> p.author_id
         UNION ALL
         SELECT p.author_id, r.created_step, 'repost', r.user_id, r.post_id
           FROM reposts r JOIN posts p USING (post_id) WHERE r.user_id <> p.author_id
         UNION ALL
         SELECT f.followee_id, f.created_step, 'follow', f.follower_id, NULL FROM follows f
       )
       SELECT e.agent, e.step, e.kind, e.from_user, u.username AS from_username, e.post_id::DOUBLE AS post_id
       FROM events e JOIN last ON last.agent_id = e.agent AND e.step >= last.since JOIN users u ON u.user_id = e.from_user
       QUALIFY row_number() OVER (PARTITION BY e.agent ORDER BY e.step DESC, e.kind, e.from_user, e.post_id) <= ${MAX_NOTIFICATIONS}
       ORDER BY e.agent, e.step DESC, e.kind, e.from_user, e.post_id`,
    );
    for (const n of notes) {
      out.get(n.agent)?.notifications.push({ step: n.step, kind: n.kind, fromUser: n.from_user, fromUsername: n.from_username, postId: n.post_id });
    }
    if (memorySize <= 0) return;
    const memory = await db.query<{ agent: number; step: number; action: string; args: string; ok: boolean; error: string | null }>(
      `SELECT t.agent_id AS agent, t.step, t.action, t.args::VARCHAR AS args, t.ok, t.error
       FROM trace t JOIN ctx_agents a USING (agent_id)
       WHERE t.action NOT IN ('refresh', 'sign_up')
       QUALIFY row_number() OVER (PARTITION BY t.agent_id ORDER BY t.seq DESC) <= $1
       ORDER BY t.agent_id, t.seq DESC`,
      [memorySize],
    );
    for (const m of memory) out.get(m.agent)?.memory.push({ step: m.step, action: m.action, args: m.args, ok: m.ok, error: m.error });
  });
  return out;
}
