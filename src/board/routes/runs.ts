/** The runs page: every run under the results folder, from run.json files only. */
import { findRuns, type ListedRun } from '../../cli/run-list.js';
import { escapeHtml as esc, html, json, type Route } from '../http.js';
import { page } from '../page.js';
import { runAddress } from '../results.js';
import type { BoardServices } from '../services.js';

export interface RunRow {
  /** The run's address: its folder relative to the results folder. */
  run: string;
  run_id: string;
  experiment: string;
  status: string;
  seed: number | null;
  steps_completed: number;
  timesteps: number;
  agents: number;
  started_at: string | null;
}

export function runRows(resultsDir: string): RunRow[] {
  return findRuns(resultsDir)
    .filter((f): f is ListedRun => f.kind === 'run')
    .map((r) => ({
      run: runAddress(resultsDir, r.path),
      run_id: r.run_id,
      experiment: r.experiment,
      status: r.status,
      seed: r.seed,
      steps_completed: r.steps_completed,
      timesteps: r.timesteps,
      agents: r.agents,
      started_at: r.started_at,
    }));
}

export function runsRoutes(_services: BoardServices): Route[] {
  return [
    { method: 'GET', path: '/api/runs', handle: (ctx) => json({ runs: runRows(ctx.resultsDir) }) },
    {
      method: 'GET',
      path: '/',
      handle: (ctx) => {
        const rows = runRows(ctx.resultsDir);
        const body = rows.length === 0
          ? '<h1>Runs</h1><p class="empty">No runs in this results folder yet.</p>'
          : `<h1>Runs</h1><table id="runs"><thead><tr><th>run</th><th>experiment</th><th>status</th><th>seed</th><th>steps</th><th>agents</th><th>started</th></tr></thead><tbody>${rows
              .map((r) => `<tr data-run="${esc(r.run)}"><td><a href="/replay?run=${encodeURIComponent(r.run)}">${esc(r.run)}</a></td><td>${esc(r.experiment)}</td><td class="status-${esc(r.status)}">${esc(r.status)}</td><td class="num">${r.seed ?? ''}</td><td class="num">${r.steps_completed}/${r.timesteps}</td><td class="num">${r.agents}</td><td>${esc(r.started_at ?? '')}</td></tr>`)
              .join('')}</tbody></table>`;
        return html(page({ title: 'Runs', body, data: { runs: rows } }));
      },
    },
  ];
}
