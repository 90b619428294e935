/**
 * The simulation beside the experiment's real data (real_* tables): mean cascade curves on a
 * normalised time grid with their NRMSE, posts and followers per user, and the post-kind mix.
 * Each part shows only when its real table has rows; definitions live in analysis/nrmse.ts and
 * analysis/distributions.ts.
 */
import { DEFAULT_TRACKED_TOP } from '../../analysis/cascades.js';
import {
  actionMix,
  followersPerUser,
  postsPerUser,
  summarizeDistribution,
  POST_KINDS,
  type DistributionRow,
} from '../../analysis/distributions.js';
import { CASCADE_METRICS, DEFAULT_GRID_POINTS, METRIC_TITLES, compareCascades, type CascadeComparison } from '../../analysis/nrmse.js';
import { realDataCounts } from '../../analysis/real-cascades.js';
import { escapeHtml, htmlTable } from '../html.js';
import { VEGA_LITE_SCHEMA, type ReportSection, type TopLevelSpec } from '../types.js';

/** One view of a vconcat / hconcat. */
type SubSpec = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];

/** Real and simulated keep the same colours in every chart of the section. */
const SOURCE_SCALE = { domain: ['real', 'sim'], range: ['#59636e', '#0969da'] };

function cascadeChart(c: CascadeComparison): SubSpec {
  const values = c.grid.flatMap((g) => CASCADE_METRICS.map((m) => ({ source: g.source, u: g.u, metric: METRIC_TITLES[m], value: g[m] })));
  return {
    title: 'Mean cascade curves, time normalised per cascade',
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: CASCADE_METRICS.map((m) => METRIC_TITLES[m]) } },
    spec: {
      width: 200,
      height: 180,
      mark: { type: 'line', point: { size: 14 } },
      encoding: {
        x: { field: 'u', type: 'quantitative', title: 'fraction of cascade duration', scale: { domain: [0, 1] } },
        y: { field: 'value', type: 'quantitative', title: 'mean over cascades' },
        color: { field: 'source', type: 'nominal', title: null, scale: SOURCE_SCALE },
        tooltip: [
          { field: 'source', type: 'nominal' },
          { field: 'metric', type: 'nominal' },
          { field: 'u', type: 'quantitative', format: '.2f', title: 'fraction' },
          { field: 'value', type: 'quantitative', format: '.2f' },
        ],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** A complementary CDF on log-log axes: heavy tails stay readable and sides of any size compare. */
function ccdfChart(title: string, xTitle: string, values: readonly DistributionRow[]): SubSpec {
  return {
    width: 300,
    height: 200,
    title,
    data: { values },
    mark: { type: 'line', point: { size: 14 } },
    encoding: {
      x: { field: 'value', type: 'quantitative', title: xTitle, scale: { type: 'log' } },
      y: { field: 'ccdf', type: 'quantitative', title: 'share of users with at least x', scale: { type: 'log' } },
      color: { field: 'source', type: 'nominal', title: null, scale: SOURCE_SCALE },
      tooltip: [
        { field: 'source', type: 'nominal' },
        { field: 'value', type: 'quantitative', title: xTitle },
        { field: 'users', type: 'quantitative' },
        { field: 'ccdf', type: 'quantitative', format: '.3f', title: 'share ≥ x' },
      ],
    },
  };
}

function kindChart(values: readonly { source: string; kind: string; count: number; share: number }[]): SubSpec {
  return {
    width: 300,
    height: 200,
    title: 'Post kinds (share of posts)',
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'kind', type: 'nominal', title: null, sort: [...POST_KINDS] },
      xOffset: { field: 'source', type: 'nominal', sort: ['real', 'sim'] },
      y: { field: 'share', type: 'quantitative', title: 'share', axis: { format: '%' } },
      color: { field: 'source', type: 'nominal', title: null, scale: SOURCE_SCALE },
      tooltip: [
        { field: 'source', type: 'nominal' },
        { field: 'kind', type: 'nominal' },
        { field: 'count', type: 'quantitative' },
        { field: 'share', type: 'quantitative', format: '.1%' },
      ],
    },
  };
}

const fixed = (n: number | null, digits: number): string => (n === null ? '—' : n.toFixed(digits));

export const realVsSimSection: ReportSection = {
  id: 'real-vs-sim',
  title: 'Real vs simulated',
  async build(q) {
    const counts = await realDataCounts(q.db);
    const base = {
      id: this.id,
      title: this.title,
      description:
        `Cascades: each cascade's time runs from its source to its last repost, mapped to [0, 1] and read at ${DEFAULT_GRID_POINTS} points; ` +
        'curves are averaged over the cascades that spread (tracked simulated posts; real_cascades). ' +
        'NRMSE = RMSE(sim, real) / (max − min of the real curve; its mean when flat). Distributions: simulated agents’ posts from step 1 and follows at the end, ' +
        'beside real_posts and real_follows; users with none are left out.',
    };
    if (counts.cascade_rows + counts.posts + counts.follows === 0) {
      return { ...base, html: '<p class="empty">No real reference data in this run: the experiment’s dataset gave no cascades, posts or follows.</p>' };
    }
    const rows: SubSpec[] = [];
    const html: string[] = [];
    if (counts.cascade_rows > 0) {
      const c = await compareCascades(q.db, DEFAULT_GRID_POINTS, DEFAULT_TRACKED_TOP);
      if (c.grid.length > 0) rows.push(cascadeChart(c));
      html.push(
        `<p class="note">${escapeHtml(`Cascades compared: ${c.sim_cascades} simulated, ${c.real_cascades} real.`)}` +
          (c.sim_cascades === 0 ? ` ${escapeHtml('No tracked simulated post was reposted, so there is no NRMSE.')}` : '') +
          '</p>',
        htmlTable(
          ['metric', 'NRMSE', 'sim final (mean)', 'real final (mean)'],
          c.nrmse.map((r) => [METRIC_TITLES[r.metric], fixed(r.nrmse, 3), fixed(r.sim_final, 2), fixed(r.real_final, 2)]),
          { numeric: [1, 2, 3] },
        ),
      );
    }
    const dists: SubSpec[] = [];
    const summaries: (string | number)[][] = [];
    const summarize = (what: string, d: readonly DistributionRow[]): void => {
      for (const s of summarizeDistribution(d)) summaries.push([what, s.source, s.users, s.mean.toFixed(2), s.median, s.max]);
    };
    if (counts.posts > 0) {
      const ppu = await postsPerUser(q.db);
      dists.push(ccdfChart('Posts per user', 'posts', ppu));
      summarize('posts per user', ppu);
    }
    if (counts.follows > 0) {
      const fpu = await followersPerUser(q.db);
      dists.push(ccdfChart('Followers per user', 'followers', fpu));
      summarize('followers per user', fpu);
    }
    if (counts.posts > 0) dists.push(kindChart((await actionMix(q.db)).kinds));
    if (dists.length > 0) rows.push({ hconcat: dists });
    if (summaries.length > 0) {
      html.push(htmlTable(['distribution', 'source', 'users', 'mean', 'median', 'max'], summaries, { numeric: [2, 3, 4, 5] }));
    }
    return {
      ...base,
      html: html.join('\n'),
      ...(rows.length > 0 ? { spec: { $schema: VEGA_LITE_SCHEMA, vconcat: rows, resolve: { legend: { color: 'shared' } } } } : {}),
    };
  },
};
