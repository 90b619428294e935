/** New posts and likes per step, plotted against simulated time. */
import { openingPostCount, postsAndLikesPerStep } from '../../analysis/run-metrics.js';
import { noStepsNote } from './empty.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, emptySafeDomain, type ReportSection } from '../types.js';

export const postsLikesSection: ReportSection = {
  id: 'posts-likes',
  title: 'Posts and likes over simulated time',
  async build(q) {
    const values = await postsAndLikesPerStep(q.db);
    const opening = await openingPostCount(q.db);
    const description =
      'Posts created in each step by agents and scripted accounts (originals, quotes, comments; reposts excluded) and likes given, at the step\u2019s simulated time (UTC scale). ' +
      (opening > 0
        ? `The ${opening.toLocaleString('en-US')} opening posts imported before step 0 (the dataset\u2019s posts, dataset.generate.initial_posts_per_agent) are left out, so step 0 counts only the posts made in it.`
        : 'The run imported no opening posts.');
    if (values.length === 0) return { id: this.id, title: this.title, description, html: await noStepsNote(q, 'posts or likes') };
    return {
      id: this.id,
      title: this.title,
      description,
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        data: { name: 'posts_likes', values },
        transform: [{ fold: ['posts', 'likes'], as: ['series', 'count'] }],
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'sim_time',
            type: 'temporal',
            title: 'simulated time',
            scale: { type: 'utc', ...emptySafeDomain(values, [0, 86_400_000]) },
          },
          y: { field: 'count', type: 'quantitative', title: 'per step', scale: { zero: true, ...emptySafeDomain(values) } },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: ['posts', 'likes'] },
          },
          tooltip: [
            { field: 'step', type: 'quantitative' },
            { field: 'sim_time', type: 'temporal', title: 'simulated time', format: '%Y-%m-%d %H:%M', scale: { type: 'utc' } },
            { field: 'series', type: 'nominal' },
            { field: 'count', type: 'quantitative' },
          ],
        },
      },
    };
  },
};
