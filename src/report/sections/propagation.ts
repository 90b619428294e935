/**
 * How tracked posts spread: scale, depth and max breadth of each one's repost cascade from its
 * creation to the end of the run (definitions in analysis/curves.ts), and a table of final
 * figures that says why each post is tracked and how its tree was known.
 */
import { CASCADE_METRICS, METRIC_TITLES } from '../../analysis/curves.js';
import { propagationOf } from '../../analysis/propagation.js';
import type { TrackedPost, TrackReason } from '../../analysis/track.js';
import { htmlTable } from '../html.js';
import { emptyNote } from './empty.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type ReportSection } from '../types.js';

/** More lines than this make the chart unreadable (and the page heavy); the table lists them all. */
export const CHART_POSTS = 20;

export const REASONS: Readonly<Record<TrackReason, string>> = {
  label: 'label',
  seed: 'seed account',
  top: 'most reposted',
  listed: 'analysis.track.posts',
  dataset: 'dataset track',
  paired: 'source of a real cascade',
};

/** The name a post goes by in the legend: id, label and author, short and unique. */
export const postName = (p: Pick<TrackedPost, 'post_id' | 'label' | 'author'>): string => `#${p.post_id}${p.label ? ` ${p.label}` : ''} (@${p.author})`;

/** Minutes as "95 min" or "3.5 h". */
export const minutes = (m: number | null): string | null => (m === null ? null : m < 120 ? `${Math.round(m)} min` : `${(m / 60).toFixed(1)} h`);

export const propagationSection: ReportSection = {
  id: 'propagation',
  title: 'Propagation of tracked posts',
  async build(q) {
    const cmp = await q.cascades();
    const { curves, finals } = propagationOf(cmp);
    const t = q.settings.track;
    const what = [
      t.labels === null ? 'posts with a label' : t.labels.length > 0 ? `posts labelled ${t.labels.join(', ')}` : null,
      t.seeds ? 'posts by seed accounts' : null,
      t.top > 0 ? `the ${t.top} most reposted originals` : null,
      'the listed and dataset-flagged posts',
      'the source post of each real cascade',
    ].filter((x): x is string => x !== null);
    const rebuilt = finals.filter((f) => f.method === 'reconstructed').length;
    const base = {
      id: this.id,
      title: this.title,
      description:
        `Tracked (analysis.track): ${what.join('; ')}. Each cascade follows the recorded repost paths (who reposted whose repost)` +
        (rebuilt > 0 ? `; ${rebuilt} tree(s) of this older run were rebuilt from follows instead` : '') +
        '. Scale: users reached, the author included; depth: longest repost chain; max breadth: most users at one depth below the author. Time runs from each post’s creation.',
    };
    if (finals.length === 0) {
      return {
        ...base,
        html: emptyNote(
          'No tracked post in this run: none matches analysis.track, and no original was reposted. Name posts in analysis.track.posts (or labels in analysis.track.labels) ' +
            'in the run folder’s experiment.resolved.yaml and run socialsim report on the folder again; by default the posts of scripted accounts (seeds:) and the 5 most reposted originals are tracked.',
        ),
      };
    }
    const ranked = [...finals].sort((a, b) => b.scale - a.scale || a.post_id - b.post_id);
    // The posts that reached the most users, in post order so colours stay stable between runs.
    const charted = ranked.slice(0, CHART_POSTS).sort((a, b) => a.post_id - b.post_id);
    const names = new Map(charted.map((p) => [p.post_id, postName(p)]));
    const hours = (cmp.run_span_min ?? 0) > 240;
    const values = curves.flatMap((c) => {
      const post = names.get(c.post_id);
      const time = hours ? c.minute / 60 : c.minute;
      return post === undefined ? [] : CASCADE_METRICS.map((m) => ({ post, time, metric: METRIC_TITLES[m], value: c[m] }));
    });
    const note = posts(finals.length);
    const table = htmlTable(
      ['post', 'author', 'label', 'text', 'tracked as', 'tree', 'created', 'scale', 'depth', 'max breadth', 'last repost after'],
      ranked.map((f) => [
        String(f.post_id),
        `@${f.author}`,
        f.label,
        f.text,
        f.reasons.map((r) => REASONS[r]).join(', '),
        f.method,
        `step ${f.created_step}`,
        f.scale,
        f.depth,
        f.breadth,
        minutes(f.last_repost_minute),
      ]),
      { className: 'posts', numeric: [7, 8, 9, 10] },
    );
    const xTitle = hours ? 'hours after the post' : 'minutes after the post';
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
            x: { field: 'time', type: 'quantitative', title: xTitle },
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
              { field: 'time', type: 'quantitative', title: xTitle, format: '.1f' },
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

function posts(n: number): string {
  return n > CHART_POSTS ? `<p class="note">The chart shows the ${CHART_POSTS} tracked posts that reached the most users; the table lists all ${n}.</p>\n` : '';
}
