/**
 * One account's life in a run, step by step: what it was shown (feed rank and source), what it
 * did, the posts it wrote, who followed it, and for LLM agents each request's prompt (the
 * messages sent, from llm_prompts), its outcome and the model's answer. Read from the run's
 * tables only.
 */
import type { SimDb } from './open.js';

export interface TimelineUser {
  user_id: number;
  username: string;
  name: string;
  cohort: string;
  model: string;
  kind: string;
}

export interface ShownPost {
  rank: number;
  source: string;
  post_id: number;
  /** The followee's repost it came through (home timeline), else null. */
  via_post_id: number | null;
  author: string;
  text: string;
}

export interface TimelineAction {
  seq: number;
  action: string;
  args: string;
  ok: boolean;
  result: string | null;
  error: string | null;
}

export interface WrittenPost {
  post_id: number;
  kind: string;
  parent_id: number | null;
  text: string;
}

export interface LlmExchange {
  outcome: string;
  attempts: number;
  latency_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
  error: string | null;
  /** The assistant message as recorded (JSON), when the request was answered. */
  response: string | null;
  /**
   * The messages the request sent (system, user, a repair or next-page turn's), tool schemas
   * left out; null when the prompt was not recorded (a run made before prompts were recorded).
   */
  messages: PromptMessage[] | null;
}

/** One chat message of a prompt as sent: a role and its text, and an assistant turn's tool calls. */
export interface PromptMessage {
  role: string;
  content: string | null;
  tool_calls?: unknown;
  tool_call_id?: string;
}

/** What the timeline says of a request whose prompt the run did not record. */
export const PROMPT_NOT_RECORDED = 'prompt not recorded (run made before prompts were recorded)';

export interface TimelineStep {
  step: number;
  sim_time: string | null;
  shown: ShownPost[];
  actions: TimelineAction[];
  wrote: WrittenPost[];
  /** Accounts whose follow of this one was applied in the step. */
  followed_by: string[];
  llm: LlmExchange[];
}

export interface Timeline {
  user: TimelineUser;
  steps: TimelineStep[];
}

export class TimelineError extends Error {}

/** `a..b`, `a..`, `..b` or `a` → an inclusive step range. */
export function parseStepRange(text: string): { from: number; to: number } {
  const m = /^\s*(\d*)\s*(?:\.\.\s*(\d*))?\s*$/.exec(text);
  if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) throw new TimelineError(`steps must look like 3..7, 3.., ..7 or 5 (got "${text}")`);
  const from = m[1] === '' ? 0 : Number(m[1]);
  const to = m[2] === undefined ? from : m[2] === '' ? Number.MAX_SAFE_INTEGER : Number(m[2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new TimelineError(`steps ${text}: a step number is too large`);
  if (to < from) throw new TimelineError(`steps ${text}: the range ends before it starts`);
  return { from, to };
}

async function findUser(db: SimDb, who: string): Promise<TimelineUser> {
  const asId = /^\d+$/.test(who) && Number.isSafeInteger(Number(who)) ? Number(who) : -1;
  const user = await db.one<TimelineUser>(
    `SELECT user_id, username, name, cohort, model, kind FROM users WHERE user_id = $1 OR username = $2 ORDER BY user_id = $1 DESC LIMIT 1`,
    [asId, who.replace(/^@/, '')],
  );
  if (user) return user;
  const near = await db.query<{ username: string }>(`SELECT username FROM users ORDER BY levenshtein(username, $1), user_id LIMIT 3`, [who.replace(/^@/, '')]);
  throw new TimelineError(`no user "${who}" in this run (an id or a username; nearest: ${near.map((u) => u.username).join(', ')})`);
}

/** The timeline of `who` (a user id or username) over the run's steps, or those in `steps`. */
export async function userTimeline(db: SimDb, who: string, steps: { from: number; to: number } = { from: 0, to: Number.MAX_SAFE_INTEGER }): Promise<Timeline> {
  const user = await findUser(db, who);
  const p = { u: user.user_id, a: steps.from, b: Math.min(steps.to, 2_000_000_000) };
  // One statement at a time on the one connection; every statement binds all three parameters.
  const stepRows = await db.query<{ step: number; sim_time: string }>(
    `SELECT step, strftime(sim_time, '%Y-%m-%dT%H:%M:%SZ') AS sim_time FROM steps WHERE step BETWEEN $a AND $b AND $u IS NOT NULL ORDER BY step`,
    p,
  );
  const prompts = await hasPrompts(db);
  const [shown, actions, wrote, followers, llm] = [
    await db.query<ShownPost & { step: number }>(
      // The account's impressions first, then only their posts and authors: joining the whole
      // posts and users tables instead costs tens of ms a call on a 100k-agent run (the board's
      // replay asks for one step at a time).
      `WITH i AS MATERIALIZED (SELECT * FROM impressions WHERE agent_id = $u AND step BETWEEN $a AND $b),
       p AS MATERIALIZED (SELECT post_id, author_id, text FROM posts WHERE post_id IN (SELECT post_id FROM i)),
       u AS MATERIALIZED (SELECT user_id, username FROM users WHERE user_id IN (SELECT author_id FROM p))
       SELECT i.step, i.rank, i.source, i.post_id::DOUBLE AS post_id, i.via_post_id::DOUBLE AS via_post_id, coalesce(u.username, '#' || p.author_id) AS author, coalesce(p.text, '') AS text
       FROM i LEFT JOIN p ON p.post_id = i.post_id LEFT JOIN u ON u.user_id = p.author_id
       ORDER BY i.step, i.source NOT IN ('recsys', 'home'), CASE WHEN i.source IN ('recsys', 'home') THEN '' ELSE i.source END, i.rank`,
      p,
    ),
    await db.query<TimelineAction & { step: number }>(
      `SELECT step, seq, action, args::VARCHAR AS args, ok, result::VARCHAR AS result, error FROM trace WHERE agent_id = $u AND step BETWEEN $a AND $b ORDER BY seq`,
      p,
    ),
    await db.query<WrittenPost & { step: number }>(
      `SELECT created_step AS step, post_id::DOUBLE AS post_id, kind, parent_id::DOUBLE AS parent_id, text FROM posts WHERE author_id = $u AND created_step BETWEEN $a AND $b ORDER BY post_id`,
      p,
    ),
    await db.query<{ step: number; who: string }>(
      `SELECT t.step, coalesce(u.username, '#' || t.agent_id) AS who FROM trace t LEFT JOIN users u ON u.user_id = t.agent_id
       WHERE t.ok AND t.action = 'follow' AND CAST(t.args->>'user_id' AS INTEGER) = $u AND t.step BETWEEN $a AND $b ORDER BY t.seq`,
      p,
    ),
    await db.query<Omit<LlmExchange, 'messages'> & { step: number; messages: string | null }>(
      `SELECT c.step, c.outcome, c.attempts, c.latency_ms, c.prompt_tokens, c.completion_tokens, c.error, r.response::VARCHAR AS response,
         ${prompts ? 'q.messages::VARCHAR' : 'NULL::VARCHAR'} AS messages
       FROM llm_calls c LEFT JOIN (SELECT request_hash, any_value(response) AS response FROM llm_responses GROUP BY request_hash) r ON r.request_hash = c.request_hash
       ${prompts ? `LEFT JOIN (SELECT request_hash, any_value(messages) AS messages FROM llm_prompts
         WHERE request_hash IN (SELECT request_hash FROM llm_calls WHERE agent_id = $u AND step BETWEEN $a AND $b) GROUP BY request_hash) q ON q.request_hash = c.request_hash` : ''}
       WHERE c.agent_id = $u AND c.step BETWEEN $a AND $b ORDER BY c.step, c.rowid`,
      p,
    ),
  ];
  const bySteps = new Map<number, TimelineStep>();
  const at = (step: number): TimelineStep => {
    let s = bySteps.get(step);
    if (!s) bySteps.set(step, (s = { step, sim_time: null, shown: [], actions: [], wrote: [], followed_by: [], llm: [] }));
    return s;
  };
  for (const r of stepRows) at(r.step).sim_time = r.sim_time;
  for (const { step, ...r } of shown) at(step).shown.push(r);
  for (const { step, ...r } of actions) at(step).actions.push(r);
  for (const { step, ...r } of wrote) at(step).wrote.push(r);
  for (const r of followers) at(r.step).followed_by.push(r.who);
  for (const { step, messages, ...r } of llm) at(step).llm.push({ ...r, messages: messages === null ? null : (JSON.parse(messages) as PromptMessage[]) });
  // Steps where nothing happened to the account are left out, except that they exist in the run.
  const busy = [...bySteps.values()].filter((s) => s.shown.length + s.actions.length + s.wrote.length + s.followed_by.length + s.llm.length > 0);
  return { user, steps: busy.sort((a, b) => a.step - b.step) };
}

/** Whether the run has the llm_prompts table: files made before it (opened read-only here) lack it. */
async function hasPrompts(db: SimDb): Promise<boolean> {
  const row = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'llm_prompts' AND schema_name = 'main'`);
  return (row?.n ?? 0) > 0;
}

/** A message's text for reading: its content, and an assistant turn's tool calls as name(arguments). */
function messageText(m: PromptMessage): string {
  const calls = Array.isArray(m.tool_calls)
    ? (m.tool_calls as { function?: { name?: string; arguments?: string } }[]).map((c) => `${c.function?.name ?? '?'}(${c.function?.arguments ?? ''})`)
    : [];
  const content = typeof m.content === 'string' ? m.content : m.content === null || m.content === undefined ? '' : JSON.stringify(m.content);
  return [content, ...calls].filter((t) => t !== '').join(' ') || '(empty)';
}

const clip = (text: string, n: number): string => {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** The timeline as text for a terminal. */
export function formatTimeline(t: Timeline): string {
  const u = t.user;
  const out = [`@${u.username} (user ${u.user_id}, ${u.name}) · ${u.kind}, cohort ${u.cohort}, model ${u.model}`];
  if (t.steps.length === 0) out.push('', 'nothing happened to this account in these steps');
  for (const s of t.steps) {
    out.push('', `step ${s.step}${s.sim_time ? ` · ${s.sim_time}` : ''}`);
    if (s.shown.length > 0) {
      out.push(`  shown (${s.shown.length}):`);
      for (const p of s.shown) out.push(`    ${p.source} #${p.rank}  [post ${p.post_id}] @${p.author}${p.via_post_id !== null ? ` (via repost ${p.via_post_id})` : ''}: ${clip(p.text, 80)}`);
    }
    if (s.llm.length > 0) {
      out.push('  model:');
      for (const c of s.llm) {
        out.push(`    ${c.outcome}, ${c.attempts} attempt(s), ${Math.round(c.latency_ms)} ms, ${c.prompt_tokens}+${c.completion_tokens} tokens${c.error ? `: ${c.error}` : ''}`);
        if (c.messages === null) out.push(`      ${PROMPT_NOT_RECORDED}`);
        else for (const m of c.messages) out.push(`      ${m.role}: ${clip(messageText(m), 200)}`);
        if (c.response) out.push(`      answer: ${clip(c.response, 300)}`);
      }
    }
    if (s.actions.length > 0) {
      out.push('  did:');
      for (const a of s.actions) out.push(`    ${a.ok ? 'ok  ' : 'FAIL'} ${a.action} ${a.args === '{}' ? '' : a.args}${a.ok ? '' : ` — ${a.error}`}`);
    }
    for (const p of s.wrote) out.push(`  wrote [post ${p.post_id}] ${p.kind}${p.parent_id !== null ? ` of ${p.parent_id}` : ''}${p.text ? `: ${clip(p.text, 100)}` : ''}`);
    if (s.followed_by.length > 0) out.push(`  followed by: ${s.followed_by.map((f) => `@${f}`).join(', ')}`);
  }
  return out.join('\n');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A request's prompt, whole, folded away: it runs to pages. */
function promptHtml(messages: PromptMessage[] | null): string {
  if (messages === null) return `<p><small>${esc(PROMPT_NOT_RECORDED)}</small></p>`;
  const parts = messages.map((m) => `<h4>${esc(m.role)}</h4><pre>${esc(messageText(m))}</pre>`).join('');
  return `<details><summary>prompt (${messages.length} message${messages.length === 1 ? '' : 's'})</summary>${parts}</details>`;
}

/** The timeline as a self-contained HTML page. */
export function timelineHtml(t: Timeline): string {
  const u = t.user;
  const steps = t.steps
    .map((s) => {
      const shown = s.shown.map((p) => `<tr><td>${esc(p.source)}</td><td class="num">${p.rank}</td><td>${p.post_id}${p.via_post_id !== null ? ` <small>via ${p.via_post_id}</small>` : ''}</td><td>@${esc(p.author)}</td><td>${esc(clip(p.text, 200))}</td></tr>`).join('');
      const did = s.actions.map((a) => `<li class="${a.ok ? 'ok' : 'fail'}"><code>${esc(a.action)}</code> ${esc(a.args === '{}' ? '' : a.args)}${a.ok ? '' : ` — ${esc(a.error ?? '')}`}</li>`).join('');
      const llm = s.llm.map((c) => `<li>${esc(c.outcome)}, ${c.attempts} attempt(s), ${Math.round(c.latency_ms)} ms${c.error ? ` — ${esc(c.error)}` : ''}${promptHtml(c.messages)}${c.response ? `<pre>${esc(c.response)}</pre>` : ''}</li>`).join('');
      const wrote = s.wrote.map((p) => `<li>[post ${p.post_id}] ${esc(p.kind)}: ${esc(p.text)}</li>`).join('');
      return `<section><h2>Step ${s.step}${s.sim_time ? ` <small>${esc(s.sim_time)}</small>` : ''}</h2>
${shown ? `<h3>Shown</h3><table><thead><tr><th>source</th><th>rank</th><th>post</th><th>author</th><th>text</th></tr></thead><tbody>${shown}</tbody></table>` : ''}
${llm ? `<h3>Model</h3><ul>${llm}</ul>` : ''}${did ? `<h3>Did</h3><ul>${did}</ul>` : ''}${wrote ? `<h3>Wrote</h3><ul>${wrote}</ul>` : ''}
${s.followed_by.length > 0 ? `<p>Followed by ${s.followed_by.map((f) => `@${esc(f)}`).join(', ')}</p>` : ''}</section>`;
    })
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>@${esc(u.username)} — socialsim timeline</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}.num{text-align:right}.fail{color:#b00}pre{white-space:pre-wrap;background:#f6f8fa;padding:6px}small{color:#666}</style></head>
<body><h1>@${esc(u.username)} <small>user ${u.user_id} · ${esc(u.name)} · ${esc(u.kind)}, cohort ${esc(u.cohort)}, model ${esc(u.model)}</small></h1>
${t.steps.length === 0 ? '<p>Nothing happened to this account in these steps.</p>' : steps}
</body></html>
`;
}
