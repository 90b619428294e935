/** Cross-cutting exposure per step: how much agents see and like of the other side. */
import { crossCuttingExposure, DECIDED } from '../../analysis/exposure.js';
import { emptyNote } from './empty.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type ReportSection } from '../types.js';

export const exposureSection: ReportSection = {
  id: 'exposure',
  title: 'Exposure across stances',
  async build(q) {
    const values = await crossCuttingExposure(q.db);
    const base = {
      id: this.id,
      title: this.title,
      description:
        `Share of the posts shown to (solid) and liked by (dashed) agents with a stance on a topic that come from accounts on the other side ` +
        `(both |stance| ≥ ${DECIDED}); low shares are echo chambers. Stances come from dataset.generate.stance_topics.`,
    };
    if (values.length === 0) {
      return { ...base, html: emptyNote('No agent holds a stance in this run: set dataset.generate.stance_topics to give generated personas a stance on those topics.') };
    }
    return {
      ...base,
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        data: { name: 'exposure', values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'step', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
          y: { field: 'share', type: 'quantitative', title: 'cross-cutting share', scale: { domain: [0, 1] }, axis: { format: '%' } },
          color: { field: 'topic', type: 'nominal' },
          // A line's legend shows filled dots by default, the same for both kinds: draw a dashed
          // stroke instead, as the lines are.
          strokeDash: {
            field: 'kind',
            type: 'nominal',
            title: 'posts',
            sort: ['shown', 'liked'],
            scale: { domain: ['shown', 'liked'], range: [[1, 0], [6, 3]] },
            legend: { symbolType: 'stroke', symbolStrokeColor: '#59636e', symbolFillColor: 'transparent', symbolStrokeWidth: 2, symbolSize: 400 },
          },
          tooltip: [
            { field: 'topic', type: 'nominal' },
            { field: 'kind', type: 'nominal' },
            { field: 'step', type: 'quantitative' },
            { field: 'share', type: 'quantitative', format: '.1%' },
            { field: 'posts', type: 'quantitative' },
          ],
        },
      },
    };
  },
};
