/** Similarity to human behaviour (analysis/similarity.ts): style divergences, activity distances and a detector's AUC, real against simulated. */
import { similarity } from '../../analysis/similarity.js';
import { htmlTable } from '../html.js';
import { emptyNote, NO_POSTS } from './empty.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type ReportSection } from '../types.js';

const NO_REAL = 'This run holds no real posts to compare with: add dataset.posts (or a user file with previous_posts) to set the agents\' posts beside real ones; dataset.posts with times and dataset.follows add the activity distances.';

const MEASURES: Readonly<Record<string, string>> = { posts_per_user: 'posts per user', followers_per_user: 'followers per user', inter_event_s: 'seconds between a user\'s posts' };

const f3 = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(3));
const f1 = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(1));

export const similaritySection: ReportSection = {
  id: 'similarity',
  title: 'Similarity to human behaviour',
  async build(q) {
    const s = await similarity(q.db);
    const base = {
      id: this.id,
      title: this.title,
      description:
        "Agents' posts against the dataset's real posts: each style feature's Jensen–Shannon divergence (bits; 0 = same distribution, 1 = disjoint) over fixed bins; " +
        "posts per user, followers per user and the time between a user's posts by KS distance; and a logistic detector's 5-fold cross-validated AUC on the style features (0.5 = indistinguishable).",
    };
    const all = s.style.filter((r) => r.cohort === 'all');
    if (all.every((r) => r.sim_posts === 0)) return { ...base, html: emptyNote(NO_POSTS) };
    if (!s.real) return { ...base, html: emptyNote(NO_REAL) };
    const style = htmlTable(
      ['feature', 'JSD', 'agents: mean', 'real: mean'],
      all.map((r) => [r.feature, f3(r.jsd), f3(r.sim_mean), f3(r.real_mean)]),
      { numeric: [1, 2, 3] },
    );
    const activity =
      s.activity.length === 0
        ? emptyNote('No real activity to compare with: dataset.posts with a time column and dataset.follows fill it.')
        : htmlTable(
            ['measure', 'KS', 'agents: n', 'agents: median', 'real: n', 'real: median'],
            s.activity.map((a) => [MEASURES[a.measure] ?? a.measure, f3(a.ks), a.sim_n, f1(a.sim_median), a.real_n, f1(a.real_median)]),
            { numeric: [1, 2, 3, 4, 5] },
          );
    const detector = htmlTable(
      ['agents', 'detector AUC', 'agents\' posts', 'real posts'],
      s.detector.map((d) => [d.cohort, f3(d.auc), d.sim_posts, d.real_posts]),
      { numeric: [1, 2, 3] },
    );
    const counts = `<p class="note">${all[0]!.sim_posts.toLocaleString('en-US')} agents' posts and ${all[0]!.real_posts.toLocaleString('en-US')} real posts (at most a uniform sample of 50,000 each; the detector trains on up to 3,000 of each).</p>`;
    return {
      ...base,
      html: `${counts}\n${style}\n<h3>Activity</h3>\n${activity}\n<h3>Detector</h3>\n${detector}`,
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        data: { name: 'style', values: s.style.filter((r) => !Number.isNaN(r.jsd)) },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'feature', type: 'nominal', title: null },
          xOffset: { field: 'cohort', type: 'nominal' },
          y: { field: 'jsd', type: 'quantitative', title: 'Jensen–Shannon divergence (bits)', scale: { domain: [0, 1] } },
          color: { field: 'cohort', type: 'nominal', title: 'agents' },
          tooltip: [
            { field: 'cohort', type: 'nominal' },
            { field: 'feature', type: 'nominal' },
            { field: 'jsd', type: 'quantitative', format: '.3f' },
            { field: 'sim_mean', type: 'quantitative', format: '.3f', title: 'agents: mean' },
            { field: 'real_mean', type: 'quantitative', format: '.3f', title: 'real: mean' },
          ],
        },
      },
    };
  },
};
