/**
 * sweep-report.html: for every swept parameter, each headline metric against the parameter's
 * values — every run as a faint point, the mean over seeds/repeats as a solid point with its
 * 95 % t-interval as an error bar (other swept parameters as colours). Self-contained like the
 * run report: the page writer and the inlined vega bundles are the run report's.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../config/resolve.js';
import { formatDuration, htmlTable, type TableCell } from '../report/html.js';
import { loadVegaLibs } from '../report/libs.js';
import { renderPage } from '../report/page.js';
import { VEGA_LITE_SCHEMA, type Section, type TopLevelSpec } from '../report/types.js';
import { METRICS, type IndexRow } from './index-db.js';
import { herdingSweepSection } from './herding.js';
import { cellText, evaluationTable, writeEvaluationTable } from './recsys-table.js';
import { meanInterval } from './stats.js';

export { meanInterval, t95 } from './stats.js';

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

interface Datum {
  kind: 'run' | 'mean';
  metric: string;
  x: string;
  group: string;
  value: number;
  lo?: number;
  hi?: number;
  n?: number;
  run_id?: string;
}

/** The chart data of one parameter: every completed run, and the mean/interval per cell. */
function chartData(param: string, others: readonly string[], rows: readonly IndexRow[]): Datum[] {
  const out: Datum[] = [];
  const cells = new Map<string, Datum[]>();
  for (const r of rows) {
    if (r.status !== 'completed' || !r.metrics) continue;
    const x = show(r.params[param]);
    const group = others.map((o) => `${o}=${show(r.params[o])}`).join(' ') || 'all';
    for (const m of METRICS) {
      const value = r.metrics[m.key];
      if (value === null) continue;
      const d: Datum = { kind: 'run', metric: m.title, x, group, value, run_id: r.run_id };
      out.push(d);
      const key = canonicalJson([m.title, x, group]);
      cells.set(key, [...(cells.get(key) ?? []), d]);
    }
  }
  for (const ds of cells.values()) {
    const first = ds[0] as Datum;
    const s = meanInterval(ds.map((d) => d.value));
    out.push({ kind: 'mean', metric: first.metric, x: first.x, group: first.group, value: s.mean, lo: s.lo, hi: s.hi, n: s.n });
  }
  return out;
}

/** One faceted Vega-Lite spec per swept parameter (seed excluded: it is what is averaged over). */
export function sweepSpecs(params: readonly string[], rows: readonly IndexRow[]): { param: string; spec: TopLevelSpec }[] {
  const swept = params.filter((p) => p !== 'seed');
  return swept.map((param) => {
    const others = swept.filter((p) => p !== param);
    const order = [...new Set(rows.map((r) => show(r.params[param])))];
    const x = { field: 'x', type: 'nominal' as const, title: param, sort: order };
    const colour = others.length > 0 ? { color: { field: 'group', type: 'nominal' as const, title: others.join(' ') }, xOffset: { field: 'group', type: 'nominal' as const } } : {};
    const only = (kind: Datum['kind']): { filter: string } => ({ filter: `datum.kind === '${kind}'` });
    const spec = {
      $schema: VEGA_LITE_SCHEMA,
      data: { values: chartData(param, others, rows) },
      facet: { field: 'metric', type: 'nominal', title: null, sort: METRICS.map((m) => m.title) },
      columns: 3,
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 180,
        height: 150,
        layer: [
          { transform: [only('run')], mark: { type: 'point', opacity: 0.35, size: 20 }, encoding: { x, ...colour, y: { field: 'value', type: 'quantitative', title: null }, tooltip: [{ field: 'run_id' }, { field: 'value', type: 'quantitative' }] } },
          { transform: [only('mean')], mark: { type: 'errorbar', ticks: true }, encoding: { x, ...colour, y: { field: 'lo', type: 'quantitative', title: null }, y2: { field: 'hi' } } },
          {
            transform: [only('mean')],
            mark: { type: 'point', filled: true, size: 60 },
            encoding: { x, ...colour, y: { field: 'value', type: 'quantitative', title: null }, tooltip: [{ field: 'value', title: 'mean', type: 'quantitative', format: '.3~f' }, { field: 'lo', format: '.3~f' }, { field: 'hi', format: '.3~f' }, { field: 'n' }] },
          },
        ],
      },
    } as unknown as TopLevelSpec;
    return { param, spec };
  });
}

function runsTable(params: readonly string[], rows: readonly IndexRow[]): string {
  const headers = ['run', 'status', ...params, ...METRICS.map((m) => m.title)];
  const body = rows.map((r): TableCell[] => [
    r.run_id,
    r.status,
    ...params.map((p) => show(r.params[p])),
    ...METRICS.map((m) => {
      const v = r.metrics?.[m.key];
      if (v === undefined || v === null) return null;
      return m.key === 'wall_ms' ? formatDuration(v) : Number.isInteger(v) ? v : Number(v.toFixed(3));
    }),
  ]);
  return htmlTable(headers, body);
}

/** Writes `sweep-report.html` into the sweep folder and returns its path. */
export async function writeSweepReport(sweepDir: string, params: readonly string[], rows: readonly IndexRow[], generatedAt = new Date().toISOString()): Promise<string> {
  const completed = rows.filter((r) => r.status === 'completed').length;
  const sections: Section[] = sweepSpecs(params, rows).map(({ param, spec }) => ({
    id: `by-${param.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`,
    title: `Metrics by ${param}`,
    description: 'Each faint point is a completed run; the solid point is the mean over seeds/repeats and the bar its 95 % t-interval.',
    spec,
  }));
  const evaluation = evaluationTable(params, rows);
  if (evaluation) {
    writeEvaluationTable(sweepDir, evaluation);
    sections.unshift({
      id: 'recsys-evaluation',
      title: 'Recommender evaluation',
      description:
        'How agents responded to each feed in browse mode: mean over seeds [95 % t-interval], ★ = best mean of the column. ' +
        evaluation.metrics.map((m) => `${m.title}: ${m.description}`).join('; ') +
        '. Also in recsys-table.md and recsys-table.csv beside this report.',
      html: htmlTable(['recommender', ...evaluation.metrics.map((m) => m.title)], evaluation.rows.map((r): TableCell[] => [r.label, ...r.cells.map(cellText)])),
    });
  }
  const herding = await herdingSweepSection(params, rows);
  if (herding) sections.unshift(herding);
  sections.push({ id: 'runs', title: 'Runs', description: 'Every run of the sweep, as in sweep.duckdb (table runs).', html: runsTable(params, rows) });
  const html = renderPage({
    title: `socialsim sweep \u2014 ${sweepDir.split(/[\\/]/).slice(-2).join('/')}`,
    subtitle: `${rows.length} runs (${completed} completed) \u00b7 swept: ${params.join(', ') || 'nothing'}`,
    sections,
    libs: loadVegaLibs(),
    generatedAt,
  });
  const file = join(sweepDir, 'sweep-report.html');
  writeFileSync(`${file}.tmp-${process.pid}`, html);
  renameSync(`${file}.tmp-${process.pid}`, file);
  return file;
}
