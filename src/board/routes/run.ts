/**
 * A run's page (session analytics): its per-step figures as charts, from the database once the
 * run has finished, or from events.jsonl streamed as server-sent events while a process still
 * writes it (that process holds the DuckDB file; a second one cannot open it). Also serves the
 * run's report.html as it is on disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRunInfo, RUN_FILES, type RunInfo } from '../../engine/run-folder.js';
import { liveWriter } from '../../engine/run-lock.js';
import { parseEventLines, seriesFromEvents, type RunSeries } from '../analytics/series.js';
import { seriesFromDb } from '../analytics/series-db.js';
import { tailLines } from '../analytics/tail.js';
import { BoardError, escapeHtml as esc, html, json, param, type BoardContext, type Reply, type Route } from '../http.js';
import { page } from '../page.js';
import { resolveRunDir } from '../results.js';
import type { BoardServices } from '../services.js';

/** How often the stream looks at events.jsonl and the run lock when fs.watch stays silent. */
const POLL_MS = 500;
/** A comment line now and then keeps proxies and idle timeouts from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

function runInfo(dir: string): RunInfo {
  try {
    return readRunInfo(dir);
  } catch {
    throw new BoardError(500, 'this run\'s run.json cannot be read');
  }
}

/** run.json says `running` also after its process was killed: the lock tells them apart. */
function shownStatus(dir: string, info: RunInfo, live: boolean): string {
  return info.status === 'running' && !live ? 'stopped' : info.status;
}

function eventsOf(dir: string): unknown[] {
  const file = join(dir, RUN_FILES.events);
  return existsSync(file) ? parseEventLines(readFileSync(file, 'utf8')) : [];
}

/** The run's series: from the database when no process writes it, else from its events. */
async function runSeries(services: BoardServices, dir: string): Promise<{ source: 'db' | 'events'; series: RunSeries }> {
  if (liveWriter(dir) === null && existsSync(join(dir, RUN_FILES.db))) {
    try {
      return { source: 'db', series: await services.dbs.use(dir, (db) => seriesFromDb(db, dir)) };
    } catch (err) {
      // A run that started between the check and the open: its events are the live source.
      if (!(err instanceof BoardError && err.status === 409)) throw err;
    }
  }
  return { source: 'events', series: seriesFromEvents(eventsOf(dir)) };
}

function runPage(ctx: BoardContext): string {
  const rel = param(ctx, 'run');
  const dir = resolveRunDir(ctx.resultsDir, rel);
  const info = runInfo(dir);
  const live = liveWriter(dir) !== null;
  const q = encodeURIComponent(rel);
  const facts: [string, string][] = [
    ['experiment', info.experiment],
    ['status', shownStatus(dir, info, live)],
    ['seed', String(info.seed)],
    ['steps', `${info.steps_completed}/${info.timesteps}`],
    ['agents', String(info.agents)],
    ['actions', String(info.actions)],
    ['started', info.started_at ?? ''],
    ['finished', info.finished_at ?? ''],
  ];
  const body = `<h1>Run ${esc(rel)} <span id="run-state" class="state-${live ? 'live' : 'finished'}">${live ? 'live' : 'finished'}</span></h1>
<p><a href="/run/report?run=${q}">report</a> · <a href="/replay?run=${q}">replay</a> · <a href="/compare?a=${q}">compare</a> · <a href="/sessions?run=${q}">sessions</a> · <a href="/?experiment=${encodeURIComponent(info.experiment)}">runs of ${esc(info.experiment)}</a></p>
<table id="run-facts" class="facts"><tbody>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td data-fact="${esc(k)}">${esc(v)}</td></tr>`).join('')}</tbody></table>
<p><span id="step-count">0</span> steps shown <small id="source"></small> <a id="reload" href="" hidden>reload from the database</a></p>
<p id="problem" class="error" hidden></p>
<div class="charts">
<section><h2>Actions by type</h2><div id="chart-actions" class="chart"></div></section>
<section><h2>Active agents</h2><div id="chart-active" class="chart"></div></section>
<section><h2>LLM requests by endpoint</h2><div id="chart-llm-requests" class="chart"><p class="empty">No LLM requests.</p></div></section>
<section><h2>LLM failures by endpoint</h2><div id="chart-llm-failures" class="chart"><p class="empty">No LLM requests.</p></div></section>
<section><h2>LLM mean latency (ms)</h2><div id="chart-llm-latency" class="chart"><p class="empty">No latencies: no LLM requests, or (live) this run's step events carry totals only.</p></div></section>
<section><h2>Budget left</h2><div id="chart-budget" class="chart"><p class="empty">No budget figures (no budget set, or not in this run's events).</p></div></section>
</div>
<h2>Steps</h2>
<table id="steps-table"><thead><tr><th>step</th><th>sim time</th><th>active agents</th><th>actions</th><th>failed</th><th>LLM requests</th><th>LLM failures</th></tr></thead><tbody></tbody></table>`;
  return page({ title: `Run ${rel}`, body, data: { run: rel, live }, scripts: ['run.js'], charts: true });
}

/** Writes one server-sent event. */
function sse(ctx: BoardContext, event: string, data: unknown): void {
  ctx.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * `/api/run/events`: the run's step events so far (one `series` event), then each new one as
 * the run commits it, and `finished` (with the run's status) when `run_finished` is logged or
 * the writing process is gone; then the stream ends. Watchers stop when the client leaves.
 */
function streamEvents(ctx: BoardContext): Reply {
  const dir = resolveRunDir(ctx.resultsDir, param(ctx, 'run'));
  const file = join(dir, RUN_FILES.events);
  ctx.res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
  });
  let done = false;
  // Where the log stands: a resumed run logs run_finished, then run_started again.
  let finished: { status: string; steps_completed: number | null } | null = null;
  let first = true;
  const onLines = (lines: string[]): void => {
    if (done) return;
    const events = parseEventLines(lines.join('\n'));
    for (const e of events) {
      const o = e as { type?: unknown; status?: unknown; steps_completed?: unknown };
      if (o.type === 'run_started') finished = null;
      if (o.type === 'run_finished') finished = { status: String(o.status), steps_completed: typeof o.steps_completed === 'number' ? o.steps_completed : null };
    }
    const series = seriesFromEvents(events);
    if (first || series.steps.length > 0) sse(ctx, 'series', series);
    first = false;
  };
  const end = (status: { status: string; steps_completed: number | null }): void => {
    if (done) return;
    done = true;
    tail.close();
    clearInterval(keepalive);
    sse(ctx, 'finished', status);
    ctx.res.end();
  };
  const check = (): void => {
    if (done) return;
    if (finished) return end(finished);
    if (liveWriter(dir) === null) {
      tail.readNow(); // what it wrote before it stopped
      if (finished) return end(finished);
      const info = runInfo(dir);
      end({ status: shownStatus(dir, info, false), steps_completed: info.steps_completed });
    }
  };
  const tail = tailLines(file, (lines) => {
    onLines(lines);
    check();
  }, { pollMs: POLL_MS, onTick: check });
  const keepalive = setInterval(() => ctx.res.write(': keepalive\n\n'), KEEPALIVE_MS);
  tail.readNow();
  if (first) onLines([]); // no events yet: the page still learns the stream is open
  check();
  ctx.req.on('close', () => {
    done = true;
    tail.close();
    clearInterval(keepalive);
  });
  return { kind: 'streamed' };
}

export function runRoutes(services: BoardServices): Route[] {
  return [
    { method: 'GET', path: '/run', handle: (ctx) => html(runPage(ctx)) },
    {
      method: 'GET',
      path: '/api/run/series',
      handle: async (ctx) => {
        const dir = resolveRunDir(ctx.resultsDir, param(ctx, 'run'));
        return json(await runSeries(services, dir));
      },
    },
    { method: 'GET', path: '/api/run/events', handle: streamEvents },
    {
      method: 'GET',
      path: '/run/report',
      handle: (ctx) => {
        const dir = resolveRunDir(ctx.resultsDir, param(ctx, 'run'));
        const file = join(dir, RUN_FILES.report);
        if (!existsSync(file)) throw new BoardError(404, 'this run has no report.html yet (socialsim report <run> writes it)');
        return html(readFileSync(file, 'utf8'));
      },
    },
  ];
}
