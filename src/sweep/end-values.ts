/**
 * The sweep report's end-of-run charts: for every swept parameter, each outcome metric against
 * the parameter's values — every completed run as a faint point, the mean over seeds/repeats as
 * a solid point with its 95 % t-interval (clipped to the metric's range) as an error bar, other
 * swept parameters as colours. One small chart per metric, each with its own axes: counts from
 * 0, shares, means and differences on a scale fitted to their values. Settings (agents) and
 * costs (wall time) are not outcomes; they are in the settings table and the runs table.
 */
import { canonicalJson } from '../config/resolve.js';
import { VEGA_LITE_SCHEMA, type TopLevelSpec } from '../report/types.js';
import { showParam } from './conditions.js';
import { METRICS, type IndexRow, type MetricDef } from './index-db.js';
import { meanInterval } from './stats.js';

export interface EndValue {
  kind: 'run' | 'mean';
  /** MetricDef.key */
  metric: string;
  x: string;
  group: string;
  value: number;
  lo?: number;
  hi?: number;
  n?: number;
  run_id?: string;
}

/** The metrics drawn as outcomes. */
export const OUTCOME_METRICS: readonly MetricDef[] = METRICS.filter((m) => m.role === 'outcome');

/** Every completed run's value of each outcome metric, and the mean/interval per cell (x, group). */
export function endValues(param: string, others: readonly string[], rows: readonly IndexRow[]): EndValue[] {
  const out: EndValue[] = [];
  const cells = new Map<string, { metric: MetricDef; x: string; group: string; values: number[] }>();
  for (const r of rows) {
    if (r.status !== 'completed' || !r.metrics) continue;
    const x = showParam(r.params[param]);
    const group = others.map((o) => `${o}=${showParam(r.params[o])}`).join(' ') || 'all';
    for (const m of OUTCOME_METRICS) {
      const value = r.metrics[m.key];
      if (value === null) continue;
      out.push({ kind: 'run', metric: m.key, x, group, value, run_id: r.run_id });
      const key = canonicalJson([m.key, x, group]);
      const cell = cells.get(key) ?? { metric: m, x, group, values: [] };
      cell.values.push(value);
      cells.set(key, cell);
    }
  }
  for (const c of cells.values()) {
    const s = meanInterval(c.values, c.metric.range);
    out.push({ kind: 'mean', metric: c.metric.key, x: c.x, group: c.group, value: s.mean, lo: s.lo, hi: s.hi, n: s.n });
  }
  return out;
}

/** A chart title in lines of at most `width` characters. */
export function titleLines(text: string, width = 34): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * The y scale of a metric: counts (and differences, around 0) from 0, a share or a mean fitted
 * to its values (0.476 vs 0.50 must show). When every value is the same (no failed actions in
 * any run) the domain is widened around it, or vega draws one tick labelled "0.000000".
 */
function yScale(m: MetricDef, values: readonly EndValue[]): { zero: boolean; domain?: [number, number] } {
  const zero = m.scale === 'count' || m.scale === 'difference';
  const all = values.filter((v) => v.metric === m.key).flatMap((v) => [v.value, v.lo ?? v.value, v.hi ?? v.value]);
  const [min, max] = [Math.min(...all), Math.max(...all)];
  if (all.length === 0 || min !== max) return { zero };
  const pad = Math.abs(min) * 0.1 || 1;
  const lo = zero ? Math.min(0, min) : Math.max(m.range[0], min - pad);
  const hi = Math.min(m.range[1], max + pad);
  return { zero, domain: [lo, hi > lo ? hi : lo + 1] };
}

/** One chart of one metric: runs, interval, mean. */
function metricChart(m: MetricDef, values: readonly EndValue[], x: object, colour: object): object {
  const only = (kind: EndValue['kind']): { filter: string } => ({ filter: `datum.metric === '${m.key}' && datum.kind === '${kind}'` });
  const scale = yScale(m, values);
  const axis = m.scale === 'count' ? { axis: { tickMinStep: 1 } } : {};
  const y = (field: string) => ({ field, type: 'quantitative', title: null, scale, ...axis });
  return {
    title: { text: titleLines(m.title), fontSize: 11, fontWeight: 'normal', anchor: 'start' },
    width: 200,
    height: 140,
    layer: [
      { transform: [only('run')], mark: { type: 'point', opacity: 0.35, size: 20 }, encoding: { x, ...colour, y: y('value'), tooltip: [{ field: 'run_id', title: 'run' }, { field: 'value', type: 'quantitative', format: ',.4~f' }] } },
      { transform: [only('mean')], mark: { type: 'errorbar', ticks: { size: 8 } }, encoding: { x, ...colour, y: y('lo'), y2: { field: 'hi' } } },
      {
        transform: [only('mean')],
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x,
          ...colour,
          y: y('value'),
          tooltip: [
            { field: 'x', title: 'value' },
            { field: 'value', title: 'mean', type: 'quantitative', format: ',.4~f' },
            { field: 'lo', title: '95 % low', type: 'quantitative', format: ',.4~f' },
            { field: 'hi', title: '95 % high', type: 'quantitative', format: ',.4~f' },
            { field: 'n', title: 'runs', type: 'quantitative' },
          ],
        },
      },
    ],
  };
}

/**
 * One spec per swept parameter (seed excluded: it is what is averaged over): a chart per
 * outcome metric that has a value in some completed run, three to a row.
 */
export function sweepSpecs(params: readonly string[], rows: readonly IndexRow[]): { param: string; spec: TopLevelSpec }[] {
  const swept = params.filter((p) => p !== 'seed');
  return swept.map((param) => {
    const others = swept.filter((p) => p !== param);
    const order = [...new Set(rows.map((r) => showParam(r.params[param])))];
    const x = { field: 'x', type: 'nominal' as const, title: param, sort: order };
    const colour = others.length > 0 ? { color: { field: 'group', type: 'nominal' as const, title: others.join(' ') }, xOffset: { field: 'group', type: 'nominal' as const } } : {};
    const values = endValues(param, others, rows);
    const present = new Set(values.map((v) => v.metric));
    const spec = {
      $schema: VEGA_LITE_SCHEMA,
      data: { values },
      concat: OUTCOME_METRICS.filter((m) => present.has(m.key)).map((m) => metricChart(m, values, x, colour)),
      columns: 3,
      // Each chart its own scales and axes: every chart is labelled, whatever its row.
      resolve: { scale: { x: 'independent', y: 'independent' }, axis: { x: 'independent', y: 'independent' } },
    } as unknown as TopLevelSpec;
    return { param, spec };
  });
}
