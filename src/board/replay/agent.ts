/**
 * One agent at step t, for the replay's agent panel: the timeline helper's view of that one step
 * (feed, actions, posts written, new followers, model exchanges) plus a search over accounts.
 *
 * Prompts: a run records them only once the `llm_prompts` table exists (a later schema); until
 * then the timeline's exchanges carry no `messages` and the page says the prompt was not recorded.
 */
import type { SimDb } from '../../analysis/open.js';
import { TimelineError, userTimeline, type LlmExchange, type Timeline, type TimelineStep } from '../../analysis/timeline.js';
import { BoardError } from '../http.js';

export interface AgentExchange extends LlmExchange {
  /** The request's messages as JSON text, when the run recorded prompts; else null. */
  messages: string | null;
}

export interface AgentAt extends Omit<TimelineStep, 'llm'> {
  user: Timeline['user'];
  llm: AgentExchange[];
}

/** `messages` of an exchange from a timeline that has the field (runs recording llm_prompts), else null. */
export function messagesOf(c: LlmExchange): string | null {
  const m = (c as LlmExchange & { messages?: unknown }).messages;
  if (m === undefined || m === null) return null;
  return typeof m === 'string' ? m : JSON.stringify(m);
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
    llm: (s?.llm ?? []).map((c) => ({ ...c, messages: messagesOf(c) })),
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
