/**
 * One agent at step t, for the replay's agent panel: the timeline helper's view of that one step
 * (feed, actions, posts written, new followers, model exchanges) plus a search over accounts.
 *
 * Prompts come from the run's `llm_prompts` table; runs made before it have none, and the
 * timeline's exchanges then carry `messages: null`, which the page says.
 */
import type { SimDb } from '../../analysis/open.js';
import { TimelineError, userTimeline, type Timeline, type TimelineStep } from '../../analysis/timeline.js';
import { BoardError } from '../http.js';

export interface AgentAt extends TimelineStep {
  user: Timeline['user'];
}

export async function agentAt(db: SimDb, who: string, step: number): Promise<AgentAt> {
  let t: Timeline;
  try {
    t = await userTimeline(db, who, { from: step, to: step });
  } catch (err) {
    if (err instanceof TimelineError) throw new BoardError(404, err.message);
    throw err;
  }
  const s = t.steps[0];
  const sim = s ? null : await db.one<{ sim_time: string }>(`SELECT strftime(sim_time, '%Y-%m-%dT%H:%M:%SZ') AS sim_time FROM steps WHERE step = $1`, [step]);
  return {
    user: t.user,
    step,
    sim_time: s?.sim_time ?? sim?.sim_time ?? null,
    shown: s?.shown ?? [],
    actions: s?.actions ?? [],
    wrote: s?.wrote ?? [],
    followed_by: s?.followed_by ?? [],
    llm: s?.llm ?? [],
  };
}

export interface AgentHit {
  user_id: number;
  username: string;
  cohort: string;
  kind: string;
}

/** Accounts whose id is `q` or whose username starts with (then contains) it, at most `limit`. */
export async function searchAgents(db: SimDb, q: string, limit = 20): Promise<AgentHit[]> {
  const text = q.trim().replace(/^@/, '');
  if (text === '') return [];
  const id = /^\d{1,9}$/.test(text) ? Number(text) : -1;
  return db.query<AgentHit>(
    `SELECT user_id, username, cohort, kind FROM users
     WHERE user_id = $id OR username ILIKE '%' || $like || '%' ESCAPE '\\'
     ORDER BY user_id = $id DESC, NOT starts_with(lower(username), lower($text)), length(username), user_id LIMIT $n`,
    { id, like: text.replace(/[\\%_]/g, (c) => `\\${c}`), text, n: Math.min(Math.max(limit, 1), 100) },
  );
}
