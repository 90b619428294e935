/**
 * calibration-report.html, self-contained like the run report (same page writer, vega bundles
 * inlined): the fit (fitted values, train vs held-out NRMSE per metric), the loss of every trial
 * with the best so far, each parameter's trace, the best point's simulated cascades against the
 * real ones (train and held-out), per-cascade NRMSE and every trial.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASCADE_METRICS, METRIC_TITLES, type CascadeMetric } from '../analysis/curves.js';
import type { CascadeComparison } from '../analysis/nrmse.js';
import { escapeHtml, htmlTable, type TableCell } from '../report/html.js';
import { loadVegaLibs } from '../report/libs.js';
import { renderPage } from '../report/page.js';
import { VEGA_LITE_SCHEMA, type Section, type TopLevelSpec } from '../report/types.js';
import type { CalibrationPlan } from './plan.js';
import { CALIBRATE_FILES, type TrialRecord } from './record.js';

/** Real and simulated keep the run report's colours. */
const SOURCE_SCALE = { domain: ['real', 'sim'], range: ['#59636e', '#0969da'] };
const fixed = (v: number | null | undefined, d = 3): string => (v === null || v === undefined ? '—' : v.toFixed(d));

export interface FitData {
  /** The best trial's runs compared with the real cascades, one per seed. */
  readonly comparisons: readonly { readonly seed: number; readonly runId: string; readonly comparison: CascadeComparison }[];
}

const sideOf = (plan: CalibrationPlan, id: string): 'train' | 'held-out' => (plan.split.heldout.includes(id) ? 'held-out' : 'train');

export function lossSpec(trials: readonly TrialRecord[]): TopLevelSpec {
  const values = trials.flatMap((t) => [
    ...(t.train_loss === null ? [] : [{ trial: t.trial, series: 'train', loss: t.train_loss, kind: t.kind }]),
    ...(t.heldout_loss === null ? [] : [{ trial: t.trial, series: 'held-out', loss: t.heldout_loss, kind: t.kind }]),
    ...(t.best_so_far === null ? [] : [{ trial: t.trial, series: 'best so far (train)', loss: t.best_so_far, kind: t.kind }]),
  ]);
  const x = { field: 'trial', type: 'quantitative' as const, title: 'trial', axis: { tickMinStep: 1 } };
  const y = { field: 'loss', type: 'quantitative' as const, title: 'mean NRMSE', scale: { zero: false } };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: ['train', 'held-out', 'best so far (train)'], range: ['#0969da', '#bf8700', '#1a7f37'] } };
  return {
    $schema: VEGA_LITE_SCHEMA,
    width: 720,
    height: 240,
    data: { values },
    layer: [
      { transform: [{ filter: "datum.series !== 'best so far (train)'" }], mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y, color, tooltip: [{ field: 'trial' }, { field: 'kind' }, { field: 'series' }, { field: 'loss', format: '.3f' }] } },
      { transform: [{ filter: "datum.series === 'best so far (train)'" }], mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 }, encoding: { x, y, color } },
    ],
  } as unknown as TopLevelSpec;
}

export function paramSpec(plan: CalibrationPlan, trials: readonly TrialRecord[], best: TrialRecord): TopLevelSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    vconcat: plan.specs.map((s) => ({
      width: 720,
      height: 120,
      title: `${s.path} (${s.lo}..${s.hi}${s.scale === 'log' ? ', log' : ''}${s.integer ? ', integer' : ''})`,
      data: { values: trials.map((t) => ({ trial: t.trial, value: t.point[s.path]!, best: t.trial === best.trial, kind: t.kind })) },
      layer: [
        { mark: { type: 'line', color: '#8c959f', strokeWidth: 1 }, encoding: { x: { field: 'trial', type: 'quantitative', title: 'trial', axis: { tickMinStep: 1 } }, y: { field: 'value', type: 'quantitative', title: null, scale: { type: s.scale === 'log' ? 'log' : 'linear', domain: [s.lo, s.hi] } } } },
        {
          mark: { type: 'point', filled: true },
          encoding: {
            x: { field: 'trial', type: 'quantitative' },
            y: { field: 'value', type: 'quantitative' },
            color: { field: 'best', type: 'nominal', title: 'best trial', scale: { domain: [false, true], range: ['#0969da', '#cf222e'] } },
            size: { condition: { test: 'datum.best', value: 120 }, value: 30 },
            tooltip: [{ field: 'trial' }, { field: 'kind' }, { field: 'value' }],
          },
        },
      ],
    })),
  } as unknown as TopLevelSpec;
}

/** The best point's simulated curves (one line per seed) over the real ones, cascade by cascade and metric by metric. */
export function fitSpec(plan: CalibrationPlan, fit: FitData): TopLevelSpec {
  const order = [...plan.split.train, ...plan.split.heldout];
  const label = (id: string): string => `${id} (${sideOf(plan, id)})`;
  const values: { cascade: string; source: string; line: string; metric: string; minute: number; value: number }[] = [];
  fit.comparisons.forEach(({ seed, comparison }, k) => {
    for (const p of comparison.curves) {
      if (!order.includes(p.cascade_id) || (p.source === 'real' && k > 0)) continue;
      for (const m of CASCADE_METRICS) values.push({ cascade: label(p.cascade_id), source: p.source, line: p.source === 'real' ? 'real' : `seed ${seed}`, metric: METRIC_TITLES[m], minute: p.minute, value: p[m] });
    }
  });
  const horizon = plan.settings.horizonMs / 60_000;
  return {
    $schema: VEGA_LITE_SCHEMA,
    data: { values },
    facet: {
      row: { field: 'metric', type: 'nominal', title: null, sort: CASCADE_METRICS.map((m) => METRIC_TITLES[m]) },
      column: { field: 'cascade', type: 'nominal', title: null, sort: order.map(label) },
    },
    spec: {
      width: 130,
      height: 90,
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'minute', type: 'quantitative', title: 'minutes', scale: { domain: [0, horizon] } },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'source', type: 'nominal', title: null, scale: SOURCE_SCALE },
        detail: { field: 'line', type: 'nominal' },
        strokeWidth: { condition: { test: "datum.source === 'real'", value: 2.5 }, value: 1.2 },
        tooltip: [{ field: 'cascade' }, { field: 'line' }, { field: 'metric' }, { field: 'minute' }, { field: 'value' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}

function resultHtml(plan: CalibrationPlan, trials: readonly TrialRecord[], best: TrialRecord, status: string): string {
  const overrides = plan.against ? plan.baseOverrides.slice(0, -1) : plan.baseOverrides;
  const kv = htmlTable(
    ['', ''],
    [
      ['experiment', `${plan.base.name} (${plan.file})${plan.against ? `, cascades from ${plan.against}` : ''}`],
      ...(overrides.length > 0 ? [['overrides', overrides.map((o) => `--set ${o}`).join(' ')] as TableCell[]] : []),
      ['status', `${status}: ${trials.length} trials, best trial ${best.trial}`],
      ['seeds per trial', plan.seeds.join(', ')],
      ['train cascades', plan.split.train.join(', ')],
      ['held-out cascades', `${plan.split.heldout.join(', ')} (holdout ${plan.holdout})`],
      ...(plan.cascades.unpaired.length > 0 ? [['not paired (left out)', plan.cascades.unpaired.map((u) => `${u.cascade_id} (source ${u.source_post})`).join(', ')] as TableCell[]] : []),
      ...Object.entries(best.point).map(([p, v]): TableCell[] => [`fitted ${p}`, String(v)]),
    ],
    { className: 'kv' },
  );
  const by = (m: CascadeMetric | 'mean'): TableCell[] =>
    m === 'mean' ? ['mean (the loss)', fixed(best.train_loss), fixed(best.heldout_loss)] : [METRIC_TITLES[m], fixed(best.train_by_metric[m]), fixed(best.heldout_by_metric[m])];
  const table = htmlTable(['metric', `train NRMSE (${plan.split.train.length})`, `held-out NRMSE (${plan.split.heldout.length})`], [...CASCADE_METRICS.map(by), by('mean')], { numeric: [1, 2] });
  return `${kv}\n${table}\n<p class="note">${escapeHtml(`Fitted values are in ${CALIBRATE_FILES.fitted} beside this report.`)}</p>`;
}

/** NRMSE per cascade and metric at the best point, mean over seeds. */
function cascadeTable(plan: CalibrationPlan, fit: FitData): string {
  const cells = new Map<string, number[]>();
  for (const { comparison } of fit.comparisons) {
    for (const p of comparison.pairs) if (p.nrmse !== null) cells.set(`${p.cascade_id}/${p.metric}`, [...(cells.get(`${p.cascade_id}/${p.metric}`) ?? []), p.nrmse]);
  }
  const mean = (xs: readonly number[] | undefined): number | null => (xs && xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const rows = [...plan.split.train, ...plan.split.heldout].map((id): TableCell[] => [id, sideOf(plan, id), ...CASCADE_METRICS.map((m) => fixed(mean(cells.get(`${id}/${m}`))))]);
  return htmlTable(['cascade', 'side', ...CASCADE_METRICS.map((m) => METRIC_TITLES[m])], rows, { numeric: [2, 3, 4] });
}

function trialsTable(plan: CalibrationPlan, trials: readonly TrialRecord[], best: TrialRecord): string {
  return htmlTable(
    ['trial', 'move', ...plan.specs.map((s) => s.path), 'train', 'held-out', 'runs'],
    trials.map((t): TableCell[] => [
      t.trial === best.trial ? `${t.trial} ★` : String(t.trial),
      t.kind,
      ...plan.specs.map((s) => String(t.point[s.path])),
      fixed(t.train_loss),
      fixed(t.heldout_loss),
      t.runs.map((r) => `${r.run_id}${r.reused ? ' (reused)' : ''}`).join(', '),
    ]),
    { numeric: [2 + plan.specs.length, 3 + plan.specs.length] },
  );
}

export function calibrationSections(plan: CalibrationPlan, trials: readonly TrialRecord[], best: TrialRecord, fit: FitData, status: string): Section[] {
  return [
    {
      id: 'fit',
      title: 'The fit',
      description:
        'The trial with the lowest train loss. Loss: per run, the mean NRMSE (RMSE / max(real)) over the side’s (cascade, metric) pairs, metrics scale, depth and max breadth, ' +
        `read every minute (or step) up to ${plan.settings.horizonMs / 60_000} min after the source post; pairs with no NRMSE (a real curve at 0 throughout) left out; then the mean over seeds. Held-out cascades never steer the search.`,
      html: resultHtml(plan, trials, best, status),
    },
    { id: 'loss', title: 'Loss per trial', description: 'Train and held-out loss of every trial, and the lowest train loss so far (what the optimiser keeps).', spec: lossSpec(trials) },
    { id: 'params', title: 'Parameter traces', description: 'The value Nelder–Mead tried for each parameter at each trial; the best trial in red.', spec: paramSpec(plan, trials, best) },
    {
      id: 'cascades',
      title: 'Fitted cascades against the real ones',
      description: `At the best point: each real cascade (grey) and its simulated partner in each seed’s run (blue), scale, depth and max breadth up to the horizon; train cascades first, then held-out.`,
      spec: fitSpec(plan, fit),
      html: cascadeTable(plan, fit),
    },
    { id: 'trials', title: 'Trials', description: 'Every point evaluated, in order, with the Nelder–Mead move that proposed it and its runs (ordinary run folders: socialsim report <run-dir> draws one).', html: trialsTable(plan, trials, best) },
  ];
}

export function writeCalibrationReport(plan: CalibrationPlan, trials: readonly TrialRecord[], best: TrialRecord, fit: FitData, status: string, generatedAt = new Date().toISOString()): string {
  const html = renderPage({
    title: `socialsim calibration \u2014 ${plan.base.name}/calibrate-${plan.id}`,
    subtitle: `${trials.length} trials \u00b7 ${plan.specs.map((s) => s.path).join(', ')} \u00b7 held-out NRMSE ${fixed(best.heldout_loss)} (train ${fixed(best.train_loss)})`,
    sections: calibrationSections(plan, trials, best, fit, status),
    libs: loadVegaLibs(),
    generatedAt,
  });
  const file = join(plan.dir, CALIBRATE_FILES.report);
  writeFileSync(`${file}.tmp-${process.pid}`, html);
  renameSync(`${file}.tmp-${process.pid}`, file);
  return file;
}
