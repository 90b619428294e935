/**
 * The compare page: two runs on the same per-step charts (a branch's parent preselected, a rule
 * at the branch step), or a sweep's conditions over time (mean over seeds per condition).
 * `/compare?a=<run>&b=<run>`, `/compare?sweep=<sweep folder>`; the same data as JSON under
 * /api/compare.
 */
import { loadPair, loadSweep, type PairData, type SweepData } from '../compare/load.js';
import { compareChoices, type RunChoice, type SweepChoice } from '../compare/runs.js';
import { sentimentPerStep } from '../compare/sentiment.js';
import { SERIES } from '../compare/series.js';
import { runAnalysisSettings } from '../../analysis/settings.js';
import { BoardError, escapeHtml as esc, html, json, param, type BoardContext, type Route } from '../http.js';
import { resolveRunDir } from '../results.js';
import { page } from '../page.js';
import type { BoardServices } from '../services.js';

type CompareData =
  | { mode: 'pick'; a: string | null }
  | ({ mode: 'pair' } & PairData)
  | ({ mode: 'sweep' } & SweepData);

const opt = (ctx: BoardContext, name: string): string | null => {
  const v = ctx.url.searchParams.get(name);
  return v === null || v === '' ? null : v;
};

function runLabel(r: RunChoice): string {
  const notes = [
    r.seed === null ? '' : `seed ${r.seed}`,
    `${r.steps_completed} steps`,
    r.status === 'completed' ? '' : r.status,
    r.branch_of ? `branch of ${r.branch_of} at step ${r.branch_at_step ?? '?'}` : '',
  ].filter(Boolean);
  return `${r.run} (${notes.join(', ')})`;
}

function select(name: string, runs: readonly RunChoice[], chosen: string | null): string {
  const options = runs.map((r) => `<option value="${esc(r.run)}"${r.run === chosen ? ' selected' : ''}>${esc(runLabel(r))}</option>`).join('');
  return `<select name="${name}" id="pick-${name}"><option value=""${chosen === null ? ' selected' : ''}>— pick a run —</option>${options}</select>`;
}

async function compareData(ctx: BoardContext, services: BoardServices, runs: readonly RunChoice[], sweeps: readonly SweepChoice[]): Promise<{ data: CompareData; a: string | null; b: string | null }> {
  const sweep = opt(ctx, 'sweep');
  if (sweep !== null) return { data: { mode: 'sweep', ...(await loadSweep(ctx.resultsDir, services, sweeps, sweep)) }, a: null, b: null };
  const a = opt(ctx, 'a');
  let b = opt(ctx, 'b');
  // A branch is compared with its parent unless told otherwise.
  if (a !== null && b === null) b = runs.find((r) => r.run === a)?.branch_of ?? null;
  if (a === null || b === null) return { data: { mode: 'pick', a }, a, b };
  for (const r of [a, b]) if (!runs.some((c) => c.run === r)) throw new BoardError(404, `no run "${r.slice(0, 200)}" in this results folder`);
  return { data: { mode: 'pair', ...(await loadPair(ctx.resultsDir, services, runs, a, b)) }, a, b };
}

function pairIntro(d: PairData): string {
  const run = (r: string): string => `<a href="/replay?run=${encodeURIComponent(r)}">${esc(r)}</a> (<a href="/sessions?run=${encodeURIComponent(r)}">sessions</a>)`;
  const line = `<p><b>A</b> = ${run(d.a.run)}, <b>B</b> = ${run(d.b.run)}.</p>`;
  if (!d.branch) return line;
  const child = d.branch.child === 'a' ? 'A' : 'B';
  const parent = d.branch.child === 'a' ? 'B' : 'A';
  return `${line}<p id="branch-note">${child} is a branch of ${parent} at step ${d.branch.at_step}: steps 0–${d.branch.at_step - 1} are shared (re-run from ${parent}'s experiment and recording, so they are equal); the grey rule marks step ${d.branch.at_step}, where ${child}'s changes take over.</p>`;
}

function sweepIntro(d: SweepData): string {
  const rows = d.runs
    .map((r) => `<tr><td>${r.run ? `<a href="/replay?run=${encodeURIComponent(r.run)}">${esc(r.run_id)}</a>` : esc(r.run_id)}</td><td>${esc(r.condition)}</td><td class="num">${esc(String(r.seed ?? ''))}</td><td>${r.included ? 'yes' : `no: ${esc(r.note)}`}</td></tr>`)
    .join('');
  return `<p>Sweep <b>${esc(d.sweep)}</b>, swept: ${esc(d.params.join(', ') || '(nothing)')}. Each line is one condition (the swept values other than the seed): the mean over its seeds at each step.</p>
<details><summary>${d.runs.length} runs, ${d.conditions.length} conditions</summary><table id="sweep-runs"><thead><tr><th>run</th><th>condition</th><th>seed</th><th>in the means</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

export function compareRoutes(services: BoardServices): Route[] {
  return [
    {
      // Separate from the page: scoring every post of a large run takes seconds.
      method: 'GET',
      path: '/api/compare/sentiment',
      handle: async (ctx) => {
        const dir = resolveRunDir(ctx.resultsDir, param(ctx, 'run'));
        return json(await services.dbs.use(dir, (db) => sentimentPerStep(db, runAnalysisSettings(dir).track)));
      },
    },
    {
      method: 'GET',
      path: '/api/compare',
      handle: async (ctx) => {
        const { runs, sweeps } = compareChoices(ctx.resultsDir);
        return json((await compareData(ctx, services, runs, sweeps)).data);
      },
    },
    {
      method: 'GET',
      path: '/compare',
      handle: async (ctx) => {
        const { runs, sweeps } = compareChoices(ctx.resultsDir);
        const { data, a, b } = await compareData(ctx, services, runs, sweeps);
        const sweepOfA = runs.find((r) => r.run === a)?.sweep ?? null;
        const form = `<form id="pick" method="get" action="/compare">A ${select('a', runs, a)} B ${select('b', runs, b)} <button type="submit">Compare</button></form>
${sweepOfA ? `<p><a id="sweep-link" href="/compare?sweep=${encodeURIComponent(sweepOfA)}">Compare the sweep's conditions</a> (A is a run of sweep ${esc(sweepOfA)})</p>` : ''}
${sweeps.length > 0 ? `<p>Sweeps: ${sweeps.map((s) => `<a class="sweep" href="/compare?sweep=${encodeURIComponent(s.sweep)}">${esc(s.sweep)}</a> (${s.runs} runs)`).join(', ')}</p>` : ''}`;
        const intro = data.mode === 'pair' ? pairIntro(data) : data.mode === 'sweep' ? sweepIntro(data) : `<p class="empty">Pick two runs${runs.length === 0 ? ' (this results folder has none yet)' : ''}; a branch brings its parent as B.</p>`;
        const body = `<h1>Compare</h1>${form}${intro}<div id="charts"></div><div id="figures"></div>`;
        return html(page({ title: 'Compare', body, data: { ...data, series: SERIES }, scripts: ['compare.js'], charts: data.mode !== 'pick' }));
      },
    },
  ];
}
