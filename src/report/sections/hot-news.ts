/** Hot news by text clustering (analysis/clusters.ts): per window, the clusters of agents' posts that grew most, and their posts per step. */
import { hotNews } from '../../analysis/clusters.js';
import { hasRealPosts } from '../../analysis/sides.js';
import { htmlTable } from '../html.js';
import { emptyNote, NO_POSTS } from './empty.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type ReportSection } from '../types.js';

/** Clusters per window in the table and the chart. */
const SHOWN = 3;

export const hotNewsSection: ReportSection = {
  id: 'hot-news',
  title: 'Hot news',
  async build(q) {
    const h = await hotNews(q.db, q.settings.seed ?? 0, undefined, 'sim', q.settings.stepMs);
    const real = (await hasRealPosts(q.db)) ? await hotNews(q.db, q.settings.seed ?? 0, undefined, 'real', q.settings.stepMs) : null;
    const base = {
      id: this.id,
      title: this.title,
      description:
        `Per window of ${h.window} steps, agents' posts clustered by seeded spherical k-means on their TF-IDF vectors; each cluster is named by its three heaviest terms and ranked by growth ` +
        `(its posts in the window's second half minus its first). The ${SHOWN} that grew most per window, and their posts per step; ` +
        "beside them, the same for the dataset's real posts when the run has them, placed by their own time on steps of the run's length from the first of them.",
    };
    if (h.clusters.length === 0) return { ...base, html: emptyNote(NO_POSTS) };
    const top = h.clusters.filter((c) => c.rank <= SHOWN);
    const realTable =
      real === null
        ? ''
        : `\n<h3>The dataset's real posts</h3>\n${htmlTable(
            ['steps', 'rank', 'cluster', 'posts', 'growth', 'first step', 'peak step'],
            real.clusters.filter((c) => c.rank <= SHOWN).map((c) => [`${c.from_step}–${c.from_step + real.window - 1}`, c.rank, c.label, c.posts, c.growth, c.first_step, c.peak_step]),
            { numeric: [1, 3, 4, 5, 6], empty: 'No real post with text.' },
          )}`;
    const name = (from: number, rank: number): string => `${from}–${from + h.window - 1}: ${top.find((c) => c.from_step === from && c.rank === rank)?.label ?? ''}`;
    return {
      ...base,
      html: htmlTable(
        ['steps', 'rank', 'cluster', 'posts', 'growth', 'first step', 'peak step'],
        top.map((c) => [`${c.from_step}–${c.from_step + h.window - 1}`, c.rank, c.label, c.posts, c.growth, c.first_step, c.peak_step]),
        { numeric: [1, 3, 4, 5, 6] },
      ) + realTable,
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        data: { name: 'clusters', values: h.steps.filter((s) => s.rank <= SHOWN).map((s) => ({ ...s, cluster: name(s.from_step, s.rank) })) },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'step', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
          y: { field: 'posts', type: 'quantitative', title: 'posts in the cluster' },
          color: { field: 'cluster', type: 'nominal', legend: { orient: 'bottom', columns: 2, labelLimit: 320 } },
          tooltip: [
            { field: 'cluster', type: 'nominal' },
            { field: 'step', type: 'quantitative' },
            { field: 'posts', type: 'quantitative' },
          ],
        },
      },
    };
  },
};
