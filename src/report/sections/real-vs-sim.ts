/**
 * The simulation beside the experiment's real data (real_* tables): mean cascade curves on a
 * normalised time grid with their NRMSE, posts and followers per user, and the post-kind mix.
 * Each part shows only when its real table has rows; definitions live in analysis/nrmse.ts and
 * analysis/distributions.ts.
 */
import {
  actionMix,
  followersPerUser,
  postsPerUser,
  summarizeDistribution,
  POST_KINDS,
  type DistributionRow,
} from '../../analysis/distributions.js';
import { CASCADE_METRICS, METRIC_TITLES } from '../../analysis/curves.js';
import type { CascadeComparison } from '../../analysis/nrmse.js';
import { realDataCounts } from '../../analysis/real-cascades.js';
import { escapeHtml, htmlTable } from '../html.js';
import { emptyNote } from './empty.js';
import { VEGA_LITE_SCHEMA, type ReportSection, type TopLevelSpec } from '../types.js';

/** One view of a vconcat / hconcat. */
type SubSpec = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];

/** Real and simulated keep the same colours in every chart of the section. */
const SOURCE_SCALE = { domain: ['real', 'sim'], range: ['#59636e', '#0969da'] };

/** Above this many pairs the chart shows the mean curves only. */
const PAIR_LINES = 12;

function cascadeChart(c: CascadeComparison): SubSpec {
  const pairs = c.pair_count;
  const point = (p: CascadeComparison['curves'][number], m: (typeof CASCADE_METRICS)[number]) => ({ source: p.source, cascade: p.cascade_id, minute: p.minute, metric: METRIC_TITLES[m], value: p[m] });
  const means = c.mean_curves.flatMap((p) => CASCADE_METRICS.map((m) => point(p, m)));
  const lines = pairs <= PAIR_LINES ? c.curves.flatMap((p) => CASCADE_METRICS.map((m) => point(p, m))) : [];
  const x = { field: 'minute', type: 'quantitative' as const, title: 'minutes after the source post', scale: { domain: [0, c.horizon_min] } };
  const color = { field: 'source', type: 'nominal' as const, title: null, scale: SOURCE_SCALE };
  return {
    title: pairs === 1 ? 'The paired cascade, real and simulated' : `Paired cascades: mean over ${pairs} pairs${pairs <= PAIR_LINES ? ' (thin lines: each pair)' : ''}`,
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: CASCADE_METRICS.map((m) => METRIC_TITLES[m]) } },
    data: { values: [...means, ...lines] },
    spec: {
      width: 220,
      height: 180,
      layer: [
        ...(pairs > 1 && pairs <= PAIR_LINES
          ? [
              {
                transform: [{ filter: "datum.cascade !== 'mean'" }],
                mark: { type: 'line' as const, interpolate: 'step-after' as const, opacity: 0.35, strokeWidth: 1 },
                encoding: { x, y: { field: 'value', type: 'quantitative' as const, title: null }, color, detail: { field: 'cascade', type: 'nominal' as const } },
              },
            ]
          : []),
        {
          transform: [{ filter: "datum.cascade === 'mean'" }],
          mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 2 },
          encoding: {
            x,
            y: { field: 'value', type: 'quantitative' as const, title: null },
            color,
            tooltip: [
              { field: 'source', type: 'nominal' as const },
              { field: 'metric', type: 'nominal' as const },
              { field: 'minute', type: 'quantitative' as const },
              { field: 'value', type: 'quantitative' as const, format: '.2f' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** What was compared with what, and what was left out. */
function cascadeNotes(c: CascadeComparison): string {
  const out: string[] = [];
  const pairs = [...new Map(c.pairs.map((p) => [`${p.cascade_id}/${p.post_id}`, p])).values()];
  const posts = new Map(c.tracked.map((t) => [t.post_id, t]));
  if (pairs.length > 0) {
    const shown = pairs.slice(0, 10).map((p) => {
      const post = posts.get(p.post_id);
      return `real cascade ${p.cascade_id} ↔ post #${p.post_id} by @${post?.author ?? '?'}${post?.dataset_id ? ` (dataset post ${post.dataset_id})` : ''}, tree ${p.method}`;
    });
    out.push(`Compared: ${shown.join('; ')}${pairs.length > 10 ? `; and ${pairs.length - 10} more pairs` : ''}.`);
  } else {
    out.push(`No real cascade has a simulated partner, so there is no NRMSE: a real cascade is compared with the simulated cascade of its source post, which must be one of the run’s opening posts.`);
  }
  if (c.unpaired.length > 0) {
    const ids = c.unpaired.slice(0, 5).map((u) => u.cascade_id).join(', ');
    out.push(`Warning: ${c.unpaired.length} of ${c.real_cascades} real cascades have no simulated partner (${ids}${c.unpaired.length > 5 ? ', …' : ''}): ${c.unpaired[0]!.reason}.`);
  }
  const short = pairs.flatMap((p) => {
    const post = posts.get(p.post_id);
    if (!post || c.run_start_ms === null || c.run_span_min === null) return [];
    const left = c.run_span_min - (Date.parse(post.created_at) - c.run_start_ms) / 60_000;
    return left < c.horizon_min ? [`#${p.post_id} (${Math.max(0, Math.round(left))} of ${c.horizon_min} min)`] : [];
  });
  if (short.length > 0) out.push(`The run ends before the horizon for ${short.join(', ')}: those simulated curves hold their last value after the run’s end.`);
  return out.map((line) => `<p class="note">${escapeHtml(line)}</p>`).join('\n');
}

/**
 * Tick values for a log axis covering [lo, hi], from the last tick at or below lo to the first at
 * or above hi (the axis's domain, so both ends are labelled): 1-2-5 in each decade while there
 * are at most three decades, powers of ten beyond (or always, with `decadesOnly`). Vega's own log
 * ticks label 1, 2, 3 … 9 of each decade, and their labels ran into each other ("200300") on a
 * 300 px chart.
 */
export function logTicks(lo: number, hi: number, decadesOnly = false): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [];
  const first = Math.floor(Math.log10(lo) + 1e-9);
  const last = Math.ceil(Math.log10(hi) - 1e-9);
  const steps = decadesOnly || last - first > 3 ? [1] : [1, 2, 5];
  // Rounded so 0.1 × 3 does not print as 0.30000000000000004.
  const all = [];
  for (let e = first; e <= last; e++) for (const m of steps) all.push(Number((m * 10 ** e).toPrecision(6)));
  const from = all.findLastIndex((v) => v <= lo * (1 + 1e-9));
  const to = all.findIndex((v) => v >= hi * (1 - 1e-9));
  return all.slice(Math.max(0, from), to + 1);
}

/** A complementary CDF on log-log axes: heavy tails stay readable and sides of any size compare. */
export function ccdfChart(title: string, xTitle: string, values: readonly DistributionRow[]): SubSpec {
  const xs = values.map((v) => v.value).filter((v) => v > 0);
  const ys = values.map((v) => v.ccdf).filter((v) => v > 0);
  const xTicks = xs.length > 0 ? logTicks(Math.min(...xs), Math.max(...xs)) : [];
  // The share axis: powers of ten (100 %, 10 %, 1 % …), so its labels never crowd.
  const yTicks = ys.length > 0 ? logTicks(Math.min(...ys), 1, true) : [];
  const axis = (ticks: number[], format: string) => ({ values: ticks, format, labelOverlap: 'greedy' as const, labelSeparation: 4 });
  const domain = (ticks: number[]) => (ticks.length > 1 ? { domain: [ticks[0]!, ticks[ticks.length - 1]!] } : {});
  return {
    width: 300,
    height: 200,
    title,
    data: { values },
    mark: { type: 'line', point: { size: 14 } },
    encoding: {
      x: { field: 'value', type: 'quantitative', title: xTitle, scale: { type: 'log', ...domain(xTicks) }, axis: axis(xTicks, '~s') },
      y: { field: 'ccdf', type: 'quantitative', title: 'share of users with at least x', scale: { type: 'log', ...domain(yTicks) }, axis: axis(yTicks, '~%') },
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
      x: { field: 'kind', type: 'nominal', title: null, sort: [...POST_KINDS], axis: { labelAngle: 0 } },
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
        `Cascades, the reference way (OASIS's propagation study): each real cascade of the dataset is paired with the simulated cascade of the post it was seeded from; ` +
        `both are read every minute (or step, when steps are longer) from the source up to a horizon of ${Math.round(q.settings.horizonMs / 60_000)} min (analysis.cascades.horizon), padded with the last value; ` +
        'scale counts the source’s author, depth is taken on the repost tree, max breadth leaves out the root’s level; per pair and metric NRMSE = RMSE / max(real curve), then the mean and spread over pairs. ' +
        'Distributions: simulated agents’ posts from step 1 and follows at the end, beside real_posts and real_follows; users with none are left out.',
    };
    if (counts.cascade_rows + counts.posts + counts.follows === 0) {
      return {
        ...base,
        html: emptyNote(
          'No real reference data in this run: the experiment’s dataset gave no cascades, posts or follows. Add dataset.cascades to compare with real cascades, ' +
            'dataset.posts and dataset.follows to compare posts and followers per user (see experiments/real-data.yaml).',
        ),
      };
    }
    const rows: SubSpec[] = [];
    const html: string[] = [];
    if (counts.cascade_rows > 0) {
      const c = await q.cascades();
      if (c.pairs.length > 0) rows.push(cascadeChart(c));
      html.push(cascadeNotes(c));
      if (c.pairs.length > 0) {
        html.push(
          htmlTable(
            ['metric', 'pairs', 'NRMSE mean', 'sd', 'min', 'max'],
            c.summary.map((r) => [METRIC_TITLES[r.metric], r.pairs, fixed(r.mean, 3), fixed(r.sd, 3), fixed(r.min, 3), fixed(r.max, 3)]),
            { numeric: [1, 2, 3, 4, 5] },
          ),
          htmlTable(
            ['real cascade', 'post', 'tree', 'metric', 'NRMSE', 'sim at horizon', 'real at horizon', 'extra: RMSE', 'extra: RMSE / range'],
            c.pairs.map((p) => [p.cascade_id, `#${p.post_id}`, p.method, METRIC_TITLES[p.metric], fixed(p.nrmse, 3), p.sim_final, p.real_final, fixed(p.rmse, 2), fixed(p.nrmse_range, 3)]),
            { numeric: [4, 5, 6, 7, 8] },
          ),
        );
      }
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
      // One legend for every chart, above them: at the right it sat beside the widest row, far from the narrower ones.
      ...(rows.length > 0 ? { spec: { $schema: VEGA_LITE_SCHEMA, vconcat: rows, resolve: { legend: { color: 'shared' } }, config: { legend: { orient: 'top' } } } } : {}),
    };
  },
};
