/**
 * How tracked posts spread: scale, depth and max breadth of each one's reconstructed repost
 * cascade per step (definitions in analysis/cascades.ts), and a table of final figures.
 */
import { DEFAULT_TRACKED_TOP, propagation, type TrackedPost } from '../../analysis/cascades.js';
import { CASCADE_METRICS, METRIC_TITLES } from '../../analysis/nrmse.js';
import { htmlTable } from '../html.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type ReportSection } from '../types.js';

/** More lines than this make the chart unreadable (and the page heavy); the table lists them all. */
export const CHART_POSTS = 20;

const REASONS: Readonly<Record<TrackedPost['reasons'][number], string>> = { label: 'label', seed: 'seed account', top: 'most reposted' };

/** The name a post goes by in the legend: id, label and author, short and unique. */
export const postName = (p: Pick<TrackedPost, 'post_id' | 'label' | 'author'>): string =>
  `#${p.post_id}${p.label ? ` ${p.label}` : ''} (@${p.author})`;

export const propagationSection: ReportSection = {
  id: 'propagation',
  title: 'Propagation of tracked posts',
  async build(q) {
    const { posts, curves, finals } = await propagation(q.db, DEFAULT_TRACKED_TOP);
    const base = {
      id: this.id,
      title: this.title,
      description:
        `Posts with a label or by a seed account, and the ${DEFAULT_TRACKED_TOP} most reposted originals. Each repost cascade is rebuilt ` +
        'from who follows whom: a reposter hangs off the most recent earlier reposter it follows, else the source. ' +
        'Scale: users who reposted so far; depth: longest repost chain; max breadth: most users at one depth (the source counts).',
    };
    if (posts.length === 0) {
      return { ...base, html: '<p class="empty">No tracked post in this run: none has a label or a seed author, and no original was reposted.</p>' };
    }
    const ranked = [...finals].sort((a, b) => b.scale - a.scale || a.post_id - b.post_id);
    // The posts that reached the most users, in post order so colours stay stable between runs.
    const charted = ranked.slice(0, CHART_POSTS).sort((a, b) => a.post_id - b.post_id);
    const names = new Map(charted.map((p) => [p.post_id, postName(p)]));
    const values = curves.flatMap((c) => {
      const post = names.get(c.post_id);
      return post === undefined ? [] : CASCADE_METRICS.map((m) => ({ post, step: c.step, metric: METRIC_TITLES[m], value: c[m] }));
    });
    const note =
      posts.length > CHART_POSTS
        ? `<p class="note">The chart shows the ${CHART_POSTS} tracked posts that reached the most users; the table lists all ${posts.length}.</p>\n`
        : '';
    const table = htmlTable(
      ['post', 'author', 'label', 'text', 'tracked as', 'created step', 'scale', 'depth', 'max breadth', 'last repost step'],
      ranked.map((f) => [
        String(f.post_id),
        `@${f.author}`,
        f.label,
        f.text,
        f.reasons.map((r) => REASONS[r]).join(', '),
        f.created_step,
        f.scale,
        f.depth,
        f.breadth,
        f.last_repost_step,
      ]),
      { className: 'posts', numeric: [5, 6, 7, 8, 9] },
    );
    return {
      ...base,
      html: note + table,
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        data: { name: 'propagation', values },
        facet: { row: { field: 'metric', type: 'nominal', title: null, sort: CASCADE_METRICS.map((m) => METRIC_TITLES[m]) } },
        spec: {
          width: CHART_WIDTH,
          height: Math.round(CHART_HEIGHT * 0.6),
          // A cascade changes only when a step commits: hold each value until the next step.
          mark: { type: 'line', interpolate: 'step-after', point: { size: 16 } },
          encoding: {
            x: { field: 'step', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
            y: { field: 'value', type: 'quantitative', title: null, axis: { tickMinStep: 1, format: 'd' } },
            color: {
              field: 'post',
              type: 'nominal',
              title: 'post',
              sort: [...names.values()],
              // tableau10 would repeat colours past ten posts
              ...(names.size > 10 ? { scale: { scheme: 'tableau20' } } : {}),
              legend: { labelLimit: 320 },
            },
            tooltip: [
              { field: 'post', type: 'nominal' },
              { field: 'step', type: 'quantitative' },
              { field: 'metric', type: 'nominal' },
              { field: 'value', type: 'quantitative' },
            ],
          },
        },
        resolve: { scale: { y: 'independent' } },
      },
    };
  },
};
