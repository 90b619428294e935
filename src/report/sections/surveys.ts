/** Survey answers over the run: mean answer per step and cohort, one chart row per survey. */
import { surveyMeans } from '../../analysis/surveys.js';
import { emptyNote } from './empty.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type ReportSection } from '../types.js';

export const surveysSection: ReportSection = {
  id: 'surveys',
  title: 'Surveys',
  async build(q) {
    const values = await surveyMeans(q.db);
    const base = {
      id: this.id,
      title: this.title,
      description: 'Mean answer of each cohort at each survey step (unanswered questions are left out of the mean; see survey_answers.error).',
    };
    if (values.length === 0) {
      return { ...base, html: emptyNote('No survey was asked in this run: add surveys: to put a question to a sample of LLM agents at given steps.') };
    }
    return {
      ...base,
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        data: { name: 'survey_means', values },
        facet: { row: { field: 'survey', type: 'nominal', title: null } },
        spec: {
          width: CHART_WIDTH,
          height: Math.round(CHART_HEIGHT * 0.7),
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'step', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
            y: { field: 'mean', type: 'quantitative', title: 'mean answer', scale: { zero: false } },
            color: { field: 'cohort', type: 'nominal' },
            tooltip: [
              { field: 'question', type: 'nominal' },
              { field: 'cohort', type: 'nominal' },
              { field: 'step', type: 'quantitative' },
              { field: 'mean', type: 'quantitative', format: '.2f' },
              { field: 'sd', type: 'quantitative', format: '.2f' },
              { field: 'answered', type: 'quantitative' },
              { field: 'unanswered', type: 'quantitative' },
            ],
          },
        },
      },
    };
  },
};
