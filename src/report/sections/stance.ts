/** Public opinion (analysis/stance.ts): posts' stance on the experiment's stance topics, per step and cohort, the classifier's accuracy, agreement with surveys. */
import { DECIDED, MARGIN } from '../../analysis/stance-classifier.js';
import { stance, type StanceStepRow } from '../../analysis/stance.js';
import { htmlTable } from '../html.js';
import { emptyNote } from './empty.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type ReportSection } from '../types.js';

const f3 = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(3));
const pct = (x: number): string => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)} %`);

/** Posts and label shares over every step, per side, topic and cohort. */
function totals(rows: readonly StanceStepRow[]): (string | number)[][] {
  const sums = new Map<string, { side: string; method: string; topic: string; cohort: string; posts: number; pro: number; con: number; neutral: number }>();
  for (const r of rows) {
    const key = JSON.stringify([r.side, r.method, r.topic, r.cohort]);
    const s = sums.get(key) ?? sums.set(key, { side: r.side, method: r.method, topic: r.topic, cohort: r.cohort, posts: 0, pro: 0, con: 0, neutral: 0 }).get(key)!;
    s.posts += r.posts;
    s.pro += r.for_share * r.posts;
    s.con += r.against_share * r.posts;
    s.neutral += r.neutral_share * r.posts;
  }
  return [...sums.values()].map((s) => [s.side, s.method, s.topic, s.cohort, s.posts, pct(s.pro / s.posts), pct(s.con / s.posts), pct(s.neutral / s.posts)]);
}

export const stanceSection: ReportSection = {
  id: 'stance',
  title: 'Public opinion',
  async build(q) {
    // The judge's answers come from its cache only: a report sends no request. A judge that
    // cannot be set up (e.g. its API key variable unset) leaves the offline classifier alone.
    const s = await stance(q.db, q.settings, { judgeCacheOnly: true }).catch(() => stance(q.db, { ...q.settings, stanceJudge: undefined }));
    const base = {
      id: this.id,
      title: this.title,
      description:
        "Each post naming a stance topic (its words or its #tag) classified for, against or neutral by a nearest-centroid classifier on TF-IDF vectors, trained on the posts of agents whose persona's stance is at least " +
        `${DECIDED} from 0 and scored out of fold by author (neutral: margin under ${MARGIN}); the dataset's real posts by the same models. ` +
        'Lines: the share for (solid) and against (dashed) per step; held-out accuracy beside chance; agreement of survey answers with each agent’s posts. ' +
        'With analysis.stance.judge, the LLM judge’s labels (method judge:<model>) as cached by socialsim analyze.',
    };
    if (s.topics.length === 0) {
      return {
        ...base,
        html: emptyNote('No stance topic in this run: set dataset.generate.stance_topics (e.g. [climate, politics]) so generated personas hold stances; posts naming those topics are then classified.'),
      };
    }
    if (s.byStep.length === 0) {
      return { ...base, html: emptyNote(`No post names a stance topic (${s.topics.join(', ')}), or too few agents hold a decided stance to train the classifier.`) };
    }
    const model = htmlTable(
      ['topic', 'method', 'held-out accuracy', 'chance', 'training posts'],
      s.model.map((m) => [m.topic, m.method, f3(m.accuracy), f3(m.chance), Number.isNaN(m.train_posts) ? '—' : m.train_posts]),
      { numeric: [2, 3, 4] },
    );
    const shares = htmlTable(['side', 'method', 'topic', 'cohort', 'posts', 'for', 'against', 'neutral'], totals(s.byStep), { numeric: [4, 5, 6, 7] });
    const surveys =
      s.surveys.length === 0
        ? '<p class="note">No survey question names a stance topic (a survey about #topic is compared with the posts of the agents it asked).</p>'
        : htmlTable(
            ['survey', 'topic', 'method', 'agents', 'agreement'],
            s.surveys.map((r) => [r.survey, r.topic, r.method, r.agents, pct(r.agreement)]),
            { numeric: [3, 4] },
          );
    const cohorts = new Set(s.byStep.map((r) => r.cohort));
    const series = (r: StanceStepRow): string => (cohorts.size > 1 ? `${r.topic} (${r.cohort})` : r.topic);
    const values = s.byStep
      .filter((r) => r.side === 'sim' && r.method === 'centroid')
      .flatMap((r) => [
        { step: r.step, series: series(r), stance: 'for', share: r.for_share, posts: r.posts },
        { step: r.step, series: series(r), stance: 'against', share: r.against_share, posts: r.posts },
      ]);
    return {
      ...base,
      html: `${model}\n${shares}\n<h3>Survey answers versus posts</h3>\n${surveys}`,
      ...(values.length === 0
        ? {}
        : {
            spec: {
              $schema: VEGA_LITE_SCHEMA,
              width: CHART_WIDTH,
              height: CHART_HEIGHT,
              data: { name: 'stance', values },
              mark: { type: 'line', point: true },
              encoding: {
                x: { field: 'step', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
                y: { field: 'share', type: 'quantitative', title: 'share of posts', axis: { format: '%' } },
                color: { field: 'series', type: 'nominal', title: 'topic' },
                strokeDash: { field: 'stance', type: 'nominal', sort: ['for', 'against'] },
                tooltip: [
                  { field: 'series', type: 'nominal', title: 'topic' },
                  { field: 'stance', type: 'nominal' },
                  { field: 'step', type: 'quantitative' },
                  { field: 'posts', type: 'quantitative' },
                  { field: 'share', type: 'quantitative', format: '.1%' },
                ],
              },
            },
          }),
    };
  },
};
