/**
 * The runs page: every run and sweep under the results folder, from their JSON files only (no
 * database is opened per row, so the page stays fast on hundreds of runs). `?experiment=`
 * keeps one experiment's rows, `?sweep=` one sweep's runs; both are in the URL so a view can
 * be shared.
 */
import { findRuns, type ListedRun, type ListedSweep } from '../../engine/run-list.js';
import { escapeHtml as esc, html, json, type BoardContext, type Route } from '../http.js';
import { page } from '../page.js';
import { runAddress } from '../results.js';
import type { BoardServices } from '../services.js';

export interface RunRow {
  kind: 'run';
  /** The run's address: its folder relative to the results folder. */
  run: string;
  run_id: string;
  experiment: string;
  status: string;
  seed: number | null;
  steps_completed: number;
  timesteps: number;
  agents: number;
  actions: number;
  started_at: string | null;
  /** The address of the sweep that lists this run. */
  sweep: string | null;
}

export interface SweepRow {
  kind: 'sweep';
  sweep: string;
  sweep_id: string;
  experiment: string;
  status: string;
  runs: number;
  run_statuses: Record<string, number>;
  seeds: number[];
  started_at: string | null;
}

export type ListRow = RunRow | SweepRow;

export interface RunsFilter {
  readonly experiment?: string | null;
  readonly sweep?: string | null;
}

/** The rows of the runs page, newest first, after the filter. */
export function listRows(resultsDir: string, filter: RunsFilter = {}): ListRow[] {
  return filterRows(allRows(resultsDir), filter);
}

function allRows(resultsDir: string): ListRow[] {
  const rows: ListRow[] = [];
  for (const f of findRuns(resultsDir)) {
    if (f.kind === 'run') rows.push(runRow(resultsDir, f));
    else if (f.kind === 'sweep') rows.push(sweepRow(resultsDir, f));
  }
  return rows;
}

/** A sweep filter keeps the sweep's row and its runs. */
function filterRows(rows: readonly ListRow[], filter: RunsFilter): ListRow[] {
  return rows.filter((r) => (!filter.experiment || r.experiment === filter.experiment) && (!filter.sweep || r.sweep === filter.sweep));
}

/** The runs only (the JSON API and other pages' run pickers). */
export function runRows(resultsDir: string): RunRow[] {
  return listRows(resultsDir).filter((r): r is RunRow => r.kind === 'run');
}

function runRow(resultsDir: string, r: ListedRun): RunRow {
  return {
    kind: 'run',
    run: runAddress(resultsDir, r.path),
    run_id: r.run_id,
    experiment: r.experiment,
    status: r.status,
    seed: r.seed,
    steps_completed: r.steps_completed,
    timesteps: r.timesteps,
    agents: r.agents,
    actions: r.actions,
    started_at: r.started_at,
    sweep: r.sweep ? runAddress(resultsDir, r.sweep) : null,
  };
}

function sweepRow(resultsDir: string, s: ListedSweep): SweepRow {
  return {
    kind: 'sweep',
    sweep: runAddress(resultsDir, s.path),
    sweep_id: s.sweep_id,
    experiment: s.experiment,
    status: s.status,
    runs: s.runs,
    run_statuses: s.run_statuses,
    seeds: s.seeds,
    started_at: s.started_at,
  };
}

const q = (s: string): string => encodeURIComponent(s);
const when = (iso: string | null): string => (iso ? iso.slice(0, 19).replace('T', ' ') : '');

function runTr(r: RunRow): string {
  const links = [
    `<a href="/run?run=${q(r.run)}">analytics</a>`,
    `<a href="/run/report?run=${q(r.run)}">report</a>`,
    `<a href="/replay?run=${q(r.run)}">replay</a>`,
    `<a href="/compare?a=${q(r.run)}">compare</a>`,
    `<a href="/sessions?run=${q(r.run)}">sessions</a>`,
  ].join(' · ');
  return `<tr class="run" data-run="${esc(r.run)}" data-experiment="${esc(r.experiment)}"><td><a href="/run?run=${q(r.run)}">${esc(r.run)}</a>${r.sweep ? ` <small>in <a href="/?sweep=${q(r.sweep)}">${esc(r.sweep.split('/').pop() ?? '')}</a></small>` : ''}</td><td>${esc(r.experiment)}</td><td class="status status-${esc(r.status)}">${esc(r.status)}</td><td class="num">${r.seed ?? ''}</td><td class="num steps">${r.steps_completed}/${r.timesteps}</td><td class="num">${r.agents}</td><td class="num actions">${r.actions}</td><td>${esc(when(r.started_at))}</td><td>${links}</td></tr>`;
}

function sweepTr(s: SweepRow): string {
  const counts = Object.entries(s.run_statuses)
    .map(([status, n]) => `<span class="status-${esc(status)}">${n} ${esc(status)}</span>`)
    .join(', ');
  return `<tr class="sweep" data-sweep="${esc(s.sweep)}" data-experiment="${esc(s.experiment)}"><td><small>sweep</small> <a href="/?sweep=${q(s.sweep)}">${esc(s.sweep)}</a></td><td>${esc(s.experiment)}</td><td class="status status-${esc(s.status)}">${esc(s.status)}</td><td class="num">${esc(s.seeds.join(', '))}</td><td class="num">${s.runs} runs</td><td></td><td></td><td>${esc(when(s.started_at))}</td><td class="run-statuses">${counts} · <a href="/?sweep=${q(s.sweep)}">its runs</a></td></tr>`;
}

function runsPage(ctx: BoardContext): string {
  const filter: RunsFilter = { experiment: ctx.url.searchParams.get('experiment'), sweep: ctx.url.searchParams.get('sweep') };
  // One walk of the folder: the select lists every experiment, the table the filtered rows.
  const all = allRows(ctx.resultsDir);
  const rows = filterRows(all, filter);
  const experiments = [...new Set(all.map((r) => r.experiment))].sort();
  const options = ['<option value="">all experiments</option>', ...experiments.map((e) => `<option value="${esc(e)}"${e === filter.experiment ? ' selected' : ''}>${esc(e)}</option>`)].join('');
  const note = filter.sweep ? `<p id="sweep-note">Runs of sweep <b>${esc(filter.sweep)}</b> · <a href="/">all runs</a></p>` : '';
  const table =
    rows.length === 0
      ? `<p class="empty">${all.length === 0 ? 'No runs in this results folder yet.' : 'No run matches this filter.'}</p>`
      : `<table id="runs"><thead><tr><th>folder</th><th>experiment</th><th>status</th><th>seed</th><th>steps</th><th>agents</th><th>actions</th><th>started (UTC)</th><th>open</th></tr></thead><tbody>${rows
          .map((r) => (r.kind === 'run' ? runTr(r) : sweepTr(r)))
          .join('')}</tbody></table>`;
  const body = `<h1>Runs</h1>
<form id="filter" method="get" action="/"><label>Experiment <select id="experiment-filter" name="experiment">${options}</select></label>${filter.sweep ? `<input type="hidden" name="sweep" value="${esc(filter.sweep)}">` : ''} <noscript><button>Filter</button></noscript></form>
${note}<p><small id="row-count">${rows.filter((r) => r.kind === 'run').length} runs, ${rows.filter((r) => r.kind === 'sweep').length} sweeps</small></p>
${table}`;
  return page({ title: 'Runs', body, data: { filter }, scripts: ['runs.js'] });
}

export function runsRoutes(_services: BoardServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/runs',
      handle: (ctx) => {
        const rows = listRows(ctx.resultsDir, { experiment: ctx.url.searchParams.get('experiment'), sweep: ctx.url.searchParams.get('sweep') });
        return json({ runs: rows.filter((r) => r.kind === 'run'), sweeps: rows.filter((r) => r.kind === 'sweep') });
      },
    },
    { method: 'GET', path: '/', handle: (ctx) => html(runsPage(ctx)) },
  ];
}
