/**
 * The herding experiment: the three arms' mean net score over the steps since treatment, with
 * 95 % intervals, and the final scores with the up − control and down − control differences.
 * The chart and table builders are shared with the sweep report (intervals over seeds there).
 */
import { HERDING_ARMS, HERDING_MEASURES, herdingResult, type HerdingArmName, type HerdingMeasure } from '../../analysis/herding.js';
import { htmlTable, type TableCell } from '../html.js';
import { emptyNote } from './empty.js';
import { CHART_HEIGHT, VEGA_LITE_SCHEMA, type ReportSection, type TopLevelSpec } from '../types.js';

/** One point of the chart: a mean and its interval; `group` rows the chart (sweep: other parameters). */
export interface HerdingChartPoint {
  arm: HerdingArmName;
  age: number;
  measure: HerdingMeasure;
  mean: number;
  lo: number;
  hi: number;
  /** Posts (run report) or seeds (sweep report) behind the mean. */
  n: number;
  group?: string;
}

const ARM_COLOURS = { domain: [...HERDING_ARMS], range: ['#1a7f37', '#cf222e', '#57606a'] };

/** Lines of the arms' means with a band for their intervals, one panel per measure (and group). */
export function herdingChart(values: readonly HerdingChartPoint[], opts: { nTitle: string; intervalOver: string }): TopLevelSpec {
  const grouped = values.some((v) => v.group !== undefined);
  const x = { field: 'age', type: 'quantitative', title: 'steps since treatment', axis: { tickMinStep: 1, format: 'd' } };
  const colour = { field: 'arm', type: 'nominal', title: 'arm', scale: ARM_COLOURS, sort: [...HERDING_ARMS] };
  return {
    $schema: VEGA_LITE_SCHEMA,
    data: { name: 'herding', values: [...values] },
    facet: {
      column: { field: 'measure', type: 'nominal', title: null, sort: [...HERDING_MEASURES], header: { labelExpr: "datum.value === 'agents' ? \"agents' votes\" : 'with the treatment vote'" } },
      ...(grouped ? { row: { field: 'group', type: 'nominal', title: null } } : {}),
    },
    spec: {
      width: 330,
      height: Math.round(CHART_HEIGHT * 0.9),
      layer: [
        { mark: { type: 'errorband', opacity: 0.2 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'mean net score (likes − dislikes)' }, y2: { field: 'hi' }, color: colour } },
        {
          mark: { type: 'line', point: true },
          encoding: {
            x,
            y: { field: 'mean', type: 'quantitative' },
            color: colour,
            tooltip: [
              { field: 'arm', type: 'nominal' },
              { field: 'age', type: 'quantitative', title: 'steps since treatment' },
              { field: 'mean', type: 'quantitative', format: '.3f' },
              { field: 'lo', type: 'quantitative', format: '.3f', title: `95 % low (${opts.intervalOver})` },
              { field: 'hi', type: 'quantitative', format: '.3f', title: `95 % high (${opts.intervalOver})` },
              { field: 'n', type: 'quantitative', title: opts.nTitle },
            ],
          },
        },
      ],
    },
    // Every row (a sweep's other parameters) gets its own step axis, not only the bottom one.
    resolve: { scale: { y: 'independent' }, axis: { x: 'independent' } },
  } as unknown as TopLevelSpec;
}

const num = (v: number): string => v.toFixed(2);
/** `1.23 [0.45, 2.01]` */
export const withInterval = (p: { mean: number; lo: number; hi: number }): string => `${num(p.mean)} [${num(p.lo)}, ${num(p.hi)}]`;

/** A final-score row per arm, then the two differences, for one measure each column. */
export function herdingTable(
  rows: readonly { label: string; n: number | null; cells: readonly ({ mean: number; lo: number; hi: number } | undefined)[] }[],
  nTitle: string,
): string {
  return htmlTable(
    ['', nTitle, "agents' votes: mean [95 % interval]", 'with the treatment vote: mean [95 % interval]'],
    rows.map((r): TableCell[] => [r.label, r.n, ...r.cells.map((c) => (c ? withInterval(c) : null))]),
    { numeric: [2, 3] },
  );
}

export const herdingSection: ReportSection = {
  id: 'herding',
  title: 'Herding',
  async build(q) {
    const result = await herdingResult(q.db);
    const base = { id: this.id, title: this.title };
    if (!result) return { ...base, html: emptyNote('This run had no herding experiment: add a herding: block to up- and down-vote new posts at random (see experiments/herding.yaml).') };
    const { horizon, enrolled } = result;
    const description =
      `Posts written by agents were given, at random, a platform up-vote (${enrolled.up} posts), a down-vote (${enrolled.down}) or nothing (control, ${enrolled.control}) ` +
      `in the step they were written; agents first see them the step after. Mean net score (likes − dislikes) by steps since treatment, ` +
      `with 95 % t-intervals over posts: the agents' own votes (the herding signal) and the score including the treatment vote. ` +
      `Final = ${horizon} steps after treatment (posts the run followed that long); differences with Welch intervals.`;
    if (result.series.length === 0) return { ...base, description, html: emptyNote('No post was enrolled in the herding experiment: agents wrote no original or quote between herding.from_step and herding.until_step.') };
    const values: HerdingChartPoint[] = result.series.map((p) => ({ arm: p.arm, age: p.age, measure: p.measure, mean: p.mean, lo: p.lo, hi: p.hi, n: p.posts }));
    const final = (arm: HerdingArmName, measure: HerdingMeasure) => result.final.find((p) => p.arm === arm && p.measure === measure);
    const effect = (arm: 'up' | 'down', measure: HerdingMeasure) => {
      const e = result.effects.find((x) => x.arm === arm && x.measure === measure);
      return e && { mean: e.diff, lo: e.lo, hi: e.hi };
    };
    const table = herdingTable(
      [
        ...HERDING_ARMS.map((arm) => ({ label: arm, n: final(arm, 'agents')?.posts ?? 0, cells: HERDING_MEASURES.map((m) => final(arm, m)) })),
        ...(['up', 'down'] as const).map((arm) => ({ label: `${arm} − control`, n: null, cells: HERDING_MEASURES.map((m) => effect(arm, m)) })),
      ],
      'posts',
    );
    return {
      ...base,
      description,
      spec: herdingChart(values, { nTitle: 'posts', intervalOver: 'over posts' }),
      html: `<h3>Net score ${horizon} steps after treatment</h3>\n${table}`,
    };
  },
};
