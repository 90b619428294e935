/**
 * Browse-mode sessions (`/sessions?run=<run>`): each agent-step session of a run in browse mode
 * — pages read, posts shown, viewed, liked, reposted, exit page, satisfaction — filtered by
 * cohort, step range, pages read and "liked something" (all in the URL), sorted by any column,
 * 100 a page, with the means and the distribution of pages read above. Server-rendered, so the
 * list works without the page's script (which only draws the chart).
 */
import { BoardError, escapeHtml as esc, html, intParam, json, param, type BoardContext, type Route } from '../http.js';
import { page } from '../page.js';
import { resolveRunDir } from '../results.js';
import type { BoardServices } from '../services.js';
import { agentCohorts, browseSettings, SESSION_SORTS, sessionsPage, type SessionFilter, type SessionRow, type SessionSort, type SessionSummary } from '../sessions/query.js';

export const SESSIONS_PER_PAGE = 100;

interface SessionsQuery {
  run: string;
  filter: SessionFilter;
  sort: SessionSort;
  desc: boolean;
  /** 1-based. */
  page: number;
}

function readQuery(ctx: BoardContext): SessionsQuery {
  const cohort = ctx.url.searchParams.get('cohort');
  const fromStep = intParam(ctx, 'from');
  const toStep = intParam(ctx, 'to');
  const minPages = intParam(ctx, 'min_pages');
  const sortText = ctx.url.searchParams.get('sort') || 'step';
  if (!(SESSION_SORTS as readonly string[]).includes(sortText)) throw new BoardError(400, `sort must be one of ${SESSION_SORTS.join(', ')}`);
  const filter: SessionFilter = {
    ...(cohort ? { cohort } : {}),
    ...(fromStep === undefined ? {} : { fromStep }),
    ...(toStep === undefined ? {} : { toStep }),
    ...(minPages === undefined ? {} : { minPages }),
    ...(ctx.url.searchParams.get('liked') === '1' ? { liked: true } : {}),
  };
  return { run: param(ctx, 'run'), filter, sort: sortText as SessionSort, desc: ctx.url.searchParams.get('dir') === 'desc', page: Math.max(1, intParam(ctx, 'page') ?? 1) };
}

interface SessionsData {
  run: string;
  browse: Record<string, unknown> | null;
  cohorts: string[];
  summary: SessionSummary | null;
  distribution: { pages: number; sessions: number }[];
  rows: SessionRow[];
  page: number;
  pages: number;
}

async function sessionsData(ctx: BoardContext, services: BoardServices, q: SessionsQuery): Promise<SessionsData> {
  const dir = resolveRunDir(ctx.resultsDir, q.run);
  return services.dbs.use(dir, async (db) => {
    const browse = await browseSettings(db);
    const cohorts = await agentCohorts(db);
    if (browse === null) return { run: q.run, browse, cohorts, summary: null, distribution: [], rows: [], page: 1, pages: 0 };
    // The page asked for may be past the end once a filter narrows the list: fetch it, and if it
    // came back empty, the last page (a second statement only then).
    let got = await sessionsPage(db, q.filter, q.sort, q.desc, (q.page - 1) * SESSIONS_PER_PAGE, SESSIONS_PER_PAGE);
    const pages = Math.max(1, Math.ceil(got.summary.sessions / SESSIONS_PER_PAGE));
    const at = Math.min(q.page, pages);
    if (at !== q.page) got = await sessionsPage(db, q.filter, q.sort, q.desc, (at - 1) * SESSIONS_PER_PAGE, SESSIONS_PER_PAGE);
    return { run: q.run, browse, cohorts, summary: got.summary, distribution: got.distribution, rows: got.rows, page: at, pages };
  });
}

/** This page's URL with some parameters changed (null removes one). */
function linkWith(ctx: BoardContext, changes: Record<string, string | null>): string {
  const u = new URLSearchParams(ctx.url.searchParams);
  for (const [k, v] of Object.entries(changes)) if (v === null) u.delete(k);
  else u.set(k, v);
  return `/sessions?${u.toString()}`;
}

const fixed = (v: number | null, digits = 2): string => (v === null ? '—' : v.toFixed(digits));

const COLUMNS: readonly { key: SessionSort; title: string }[] = [
  { key: 'step', title: 'step' },
  { key: 'agent_id', title: 'agent' },
  { key: 'cohort', title: 'cohort' },
  { key: 'pages', title: 'pages read' },
  { key: 'shown', title: 'posts shown' },
  { key: 'viewed', title: 'viewed' },
  { key: 'liked', title: 'liked' },
  { key: 'reposted', title: 'reposted' },
  { key: 'exit_page', title: 'exit page' },
  { key: 'satisfaction', title: 'satisfaction' },
];

function filterForm(q: SessionsQuery, cohorts: readonly string[]): string {
  const f = q.filter;
  const num = (name: string, v: number | undefined, label: string): string => `<label>${label} <input type="number" min="0" name="${name}" value="${v ?? ''}" style="width:5em"></label>`;
  return `<form id="filters" method="get" action="/sessions"><input type="hidden" name="run" value="${esc(q.run)}">
<label>cohort <select name="cohort"><option value="">all</option>${cohorts.map((c) => `<option${c === f.cohort ? ' selected' : ''}>${esc(c)}</option>`).join('')}</select></label>
${num('from', f.fromStep, 'steps from')} ${num('to', f.toStep, 'to')} ${num('min_pages', f.minPages, 'min pages read')}
<label><input type="checkbox" name="liked" value="1"${f.liked ? ' checked' : ''}> liked something</label>
<input type="hidden" name="sort" value="${q.sort}"><input type="hidden" name="dir" value="${q.desc ? 'desc' : 'asc'}">
<button type="submit">Filter</button> <a href="/sessions?run=${encodeURIComponent(q.run)}">clear</a></form>`;
}

function summaryBlock(s: SessionSummary): string {
  const items: [string, string][] = [
    ['sessions', String(s.sessions)],
    ['pages read', fixed(s.mean_pages)],
    ['posts shown', fixed(s.mean_shown)],
    ['viewed', fixed(s.mean_viewed)],
    ['liked', fixed(s.mean_liked)],
    ['reposted', fixed(s.mean_reposted)],
    ['satisfaction (sessions that rated)', fixed(s.mean_satisfaction)],
    ['ended with exit_feed', String(s.exited)],
  ];
  return `<table id="summary" style="width:auto"><thead><tr>${items.map(([k]) => `<th>${k === 'sessions' || k.startsWith('ended') ? k : `mean ${k}`}</th>`).join('')}</tr></thead><tbody><tr>${items.map(([k, v]) => `<td class="num" data-key="${esc(k)}">${v}</td>`).join('')}</tr></tbody></table>`;
}

function rowsTable(ctx: BoardContext, q: SessionsQuery, rows: readonly SessionRow[]): string {
  const head = COLUMNS.map((c) => {
    const desc = q.sort === c.key ? !q.desc : c.key !== 'step' && c.key !== 'agent_id' && c.key !== 'cohort';
    const mark = q.sort === c.key ? (q.desc ? ' ▼' : ' ▲') : '';
    return `<th><a data-sort="${c.key}" href="${esc(linkWith(ctx, { sort: c.key, dir: desc ? 'desc' : 'asc', page: null }))}">${c.title}</a>${mark}</th>`;
  }).join('');
  const body = rows
    .map(
      (r) =>
        `<tr data-step="${r.step}" data-agent="${r.agent_id}"><td class="num">${r.step}</td><td><a href="/replay?run=${encodeURIComponent(q.run)}&amp;step=${r.step}&amp;agent=${r.agent_id}">${esc(r.username)}</a> <small>#${r.agent_id}</small></td><td>${esc(r.cohort)}</td><td class="num">${r.pages}</td><td class="num">${r.shown}</td><td class="num">${r.viewed}</td><td class="num">${r.liked}</td><td class="num">${r.reposted}</td><td class="num">${r.exit_page ?? '—'}</td><td class="num">${r.satisfaction ?? '—'}</td></tr>`,
    )
    .join('');
  return `<table id="sessions"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function pager(ctx: BoardContext, d: SessionsData): string {
  const prev = d.page > 1 ? `<a id="prev" href="${esc(linkWith(ctx, { page: String(d.page - 1) }))}">← previous</a>` : '';
  const next = d.page < d.pages ? `<a id="next" href="${esc(linkWith(ctx, { page: String(d.page + 1) }))}">next →</a>` : '';
  return `<p class="pager">${prev} page ${d.page} of ${d.pages} ${next}</p>`;
}

export function sessionsRoutes(services: BoardServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/sessions',
      handle: async (ctx) => json(await sessionsData(ctx, services, readQuery(ctx))),
    },
    {
      method: 'GET',
      path: '/sessions',
      handle: async (ctx) => {
        const q = readQuery(ctx);
        const d = await sessionsData(ctx, services, q);
        const title = `<h1>Sessions</h1><p>Run <a href="/replay?run=${encodeURIComponent(q.run)}">${esc(q.run)}</a></p>`;
        if (d.browse === null || d.summary === null) {
          const body = `${title}<p id="not-browse">This run was not in browse mode, and sessions exist only in browse mode: there an active agent reads its feed page by page, opens posts, and leaves with a satisfaction rating. To record them, add <code>browse: { page_size: 5, max_pages: 4 }</code> to the experiment file and run it again (README, “Comparing recommenders: browse mode”).</p>`;
          return html(page({ title: 'Sessions', body, data: { browse: null } }));
        }
        const settings = Object.entries(d.browse).map(([k, v]) => `${esc(k)} ${esc(String(v))}`).join(', ');
        const body = `${title}<p>Browse mode (${settings}). One row per agent-step: pages read (1 + next_page calls), feed posts shown on those pages, those opened, liked and reposted, the page it left from with exit_feed and its rating — the definitions of the run's evaluation table (src/analysis/recsys-eval.ts).</p>
${filterForm(q, d.cohorts)}
<h2>The ${d.summary.sessions} sessions the filters keep</h2>${summaryBlock(d.summary)}
<div id="pages-chart"></div>
${pager(ctx, d)}${rowsTable(ctx, q, d.rows)}${pager(ctx, d)}`;
        return html(page({ title: 'Sessions', body, data: { distribution: d.distribution }, scripts: ['sessions.js'], charts: true }));
      },
    },
  ];
}
