/** Active agents per committed step (from the `steps` table). */
import { activeAgentsPerStep } from '../../analysis/run-metrics.js';
import { noStepsNote } from './empty.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, emptySafeDomain, type ReportSection } from '../types.js';

export const activeAgentsSection: ReportSection = {
  id: 'active-agents',
  title: 'Active agents per step',
  async build(q) {
    const values = await activeAgentsPerStep(q.db);
    const description = 'Agents activated in each committed step.';
    if (values.length === 0) return { id: this.id, title: this.title, description, html: await noStepsNote(q, 'active agents') };
    return {
      id: this.id,
      title: this.title,
      description,
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        data: { name: 'active_agents', values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'step', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' }, scale: emptySafeDomain(values) },
          y: {
            field: 'active_agents',
            type: 'quantitative',
            title: 'active agents',
            scale: { zero: true, ...emptySafeDomain(values) },
          },
          tooltip: [
            { field: 'step', type: 'quantitative' },
            { field: 'sim_time', type: 'temporal', title: 'simulated time', format: '%Y-%m-%d %H:%M', scale: { type: 'utc' } },
            { field: 'active_agents', type: 'quantitative', title: 'active agents' },
          ],
        },
      },
    };
  },
};
