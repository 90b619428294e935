import type { DuckDBValue } from '@duckdb/node-api';
import { INTEGER } from '../common/duckdb-api.js';
import type { ChannelDb } from './db.js';
import { NOTIFICATION_TEXT, type MemoryItem, type Notification } from './notifications.js';

export { BEFORE_RUN, describeNotification, NOTIFICATION_TEXT, withPreviousPosts, type MemoryItem, type Notification } from './notifications.js';

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
 * Notifications since each agent's last turn (likes, reposts, replies and quotes of its posts,
 * new followers, direct messages, messages in its groups; nothing from users it mutes) and its
 * most recent own actions: two set queries for all the step's agents at once.
 */
export async function agentContexts(db: ChannelDb, agents: readonly number[], memorySize: number): Promise<Map<number, AgentContext>> {
  const out = new Map<number, AgentContext>(agents.map((a) => [a, { notifications: [], memory: [] }]));
  if (agents.length === 0) return out;
  await withAgentTable(db, agents, async () => {
    type Row = { agent: number; step: number; kind: Notification['kind']; from_user: number; from_username: string; post_id: number | null; parent_id: number | null; text: string | null; group_id: number | null };
    // `ref` (post or message id) only orders events of one step, kind and sender; `since` bounds every scan.
    const notes = await db.query<Row>(
      `WITH last AS (
         SELECT a.agent_id, coalesce(max(t.step), -1) AS since FROM ctx_agents a LEFT JOIN trace t ON t.agent_id = a.agent_id GROUP BY a.agent_id
       ),
       since AS (SELECT min(since) AS s FROM last),
       events AS (
         SELECT p.author_id AS agent, l.created_step AS step, 'like' AS kind, l.user_id AS from_user, l.post_id, NULL::BIGINT AS parent_id, NULL::VARCHAR AS text, NULL::INTEGER AS group_id, l.post_id AS ref
           FROM likes l JOIN posts p USING (post_id) WHERE l.user_id <> p.author_id AND l.created_step >= (SELECT s FROM since)
         UNION ALL
         SELECT p.author_id, r.created_step, 'repost', r.user_id, r.post_id, NULL, NULL, NULL, r.post_id
           FROM reposts r JOIN posts p USING (post_id) WHERE r.user_id <> p.author_id AND r.created_step >= (SELECT s FROM since)
         UNION ALL
         SELECT f.followee_id, f.created_step, 'follow', f.follower_id, NULL, NULL, NULL, NULL, NULL FROM follows f WHERE f.created_step >= (SELECT s FROM since)
         UNION ALL
         -- Replies and quotes still live and shown: a hidden reply was hidden by the agent itself.
         SELECT p.author_id, c.created_step, CASE c.kind WHEN 'comment' THEN 'reply' ELSE 'quote' END, c.author_id, c.post_id, p.post_id, left(c.text, ${NOTIFICATION_TEXT}), NULL, c.post_id
           FROM posts c JOIN posts p ON p.post_id = c.parent_id
           WHERE c.kind IN ('comment', 'quote') AND c.author_id <> p.author_id AND c.deleted_step IS NULL AND c.hidden_step IS NULL AND c.created_step >= (SELECT s FROM since)
         UNION ALL
         SELECT d.recipient_id, d.created_step, 'message', d.sender_id, NULL, NULL, left(d.text, ${NOTIFICATION_TEXT}), NULL, d.message_id
           FROM direct_messages d WHERE d.created_step >= (SELECT s FROM since)
         UNION ALL
         -- To the group's current members who were in it when the message was sent.
         SELECT m.user_id, g.created_step, 'group_message', g.sender_id, NULL, NULL, left(g.text, ${NOTIFICATION_TEXT}), g.group_id, g.message_id
           FROM group_messages g JOIN group_members m ON m.group_id = g.group_id AND m.left_step IS NULL AND g.created_step >= m.joined_step
           WHERE g.sender_id <> m.user_id AND g.created_step >= (SELECT s FROM since)
       )
       SELECT e.agent, e.step, e.kind, e.from_user, u.username AS from_username, e.post_id::DOUBLE AS post_id, e.parent_id::DOUBLE AS parent_id, e.text, e.group_id
       FROM events e JOIN last ON last.agent_id = e.agent AND e.step >= last.since JOIN users u ON u.user_id = e.from_user
       WHERE NOT EXISTS (SELECT 1 FROM mutes mu WHERE mu.user_id = e.agent AND mu.muted_id = e.from_user)
         AND u.kind <> 'platform'  -- the herding experiment's votes are a score, not a person
       QUALIFY row_number() OVER (PARTITION BY e.agent ORDER BY e.step DESC, e.kind, e.from_user, e.ref) <= ${MAX_NOTIFICATIONS}
       ORDER BY e.agent, e.step DESC, e.kind, e.from_user, e.ref`,
    );
    for (const n of notes) {
      const note: Notification = {
        step: n.step,
        kind: n.kind,
        fromUser: n.from_user,
        fromUsername: n.from_username,
        postId: n.post_id,
        ...(n.parent_id !== null ? { parentId: n.parent_id } : {}),
        ...(n.text !== null ? { text: n.text } : {}),
        ...(n.group_id !== null ? { groupId: n.group_id } : {}),
      };
      out.get(n.agent)?.notifications.push(note);
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
