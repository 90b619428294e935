/** Actions per step, stacked by action type; rejected attempts of any type form one series. */
import { actionsPerStep } from '../../analysis/run-metrics.js';
import { noStepsNote } from './empty.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, emptySafeDomain, type ReportSection } from '../types.js';

export const FAILED_SERIES = 'failed (any type)';
const FAILED_COLOR = '#d62728';
/** Tableau-like palette without red, so rejected attempts stand out. */
// Tableau 20 (distinct hues first, then their light partners): the platform has ~25 actions, and a
// 10-colour palette gave two actions one colour. Red stays reserved for failures.
const PALETTE = [
  '#4c78a8', '#f58518', '#54a24b', '#b279a2', '#72b7b2', '#eeca3b', '#9d755d', '#bab0ac', '#ff9da6', '#79706e',
  '#9ecae9', '#ffbf79', '#88d27a', '#d6a5c9', '#a8d8d3', '#f2dd8a', '#d8b5a5', '#d6cec9', '#fcbfd2', '#5e4fa2',
  '#1f77b4', '#8c564b', '#17becf', '#bcbd22', '#7f7f7f',
];

export const actionsPerStepSection: ReportSection = {
  id: 'actions-per-step',
  title: 'Actions per step',
  async build(q) {
    const rows = await actionsPerStep(q.db);
    const description = 'Applied actions per step by type; rejected attempts of every type are stacked as one series.';
    if (rows.length === 0) return { id: this.id, title: this.title, description, html: await noStepsNote(q, 'actions') };
    // One point per (step, series): applied actions by type, plus all rejections of the step.
    const failedByStep = new Map<number, number>();
    const values: { step: number; series: string; count: number }[] = [];
    for (const r of rows) {
      if (r.ok > 0) values.push({ step: r.step, series: r.action, count: r.ok });
      if (r.failed > 0) failedByStep.set(r.step, (failedByStep.get(r.step) ?? 0) + r.failed);
    }
    for (const [step, count] of failedByStep) values.push({ step, series: FAILED_SERIES, count });
    values.sort((a, b) => a.step - b.step || a.series.localeCompare(b.series));
    // A continuous step axis keeps gaps and stays readable for thousands of steps; bars get a
    // pixel width from the step span (a band scale would print one label per step).
    const first = values[0]?.step ?? 0;
    const last = values[values.length - 1]?.step ?? 0;
    const span = last - first + 1;
    const barWidth = Math.max(1, Math.min(40, (CHART_WIDTH / span) * 0.8));
    const types = [...new Set(rows.filter((r) => r.ok > 0).map((r) => r.action))].sort();
    const domain = failedByStep.size > 0 ? [...types, FAILED_SERIES] : types;
    const range = types.map((_, i) => PALETTE[i % PALETTE.length] ?? '#888888');
    if (failedByStep.size > 0) range.push(FAILED_COLOR);
    return {
      id: this.id,
      title: this.title,
      description,
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        data: { name: 'actions', values },
        mark: { type: 'bar', orient: 'vertical', width: barWidth },
        encoding: {
          x: {
            field: 'step',
            type: 'quantitative',
            scale: { domain: [first - 0.5, last + 0.5], nice: false },
            axis: { tickMinStep: 1, format: 'd' },
          },
          y: {
            field: 'count',
            type: 'quantitative',
            stack: 'zero',
            title: 'actions',
            scale: emptySafeDomain(values),
          },
          // Stacks follow the legend: the last domain entry (rejected attempts) sits at the bottom.
          color: { field: 'series', type: 'nominal', title: 'action', scale: { domain, range } },
          tooltip: [
            { field: 'step', type: 'quantitative' },
            { field: 'series', type: 'nominal', title: 'action' },
            { field: 'count', type: 'quantitative' },
          ],
        },
      },
    };
  },
};
