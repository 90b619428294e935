/** Sentiment of agents' posts (VADER, analysis/sentiment.ts): mean compound score per step and cohort, per topic, and in tracked posts' reply threads. */
import { NEGATIVE, POSITIVE, sentiment, type SentimentSummary } from '../../analysis/sentiment.js';
import { hasRealPosts } from '../../analysis/sides.js';
import { htmlTable } from '../html.js';
import { emptyNote, NO_POSTS } from './empty.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type ReportSection } from '../types.js';

/** Topics listed in the table. */
const TOPICS = 15;

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export const sentimentSection: ReportSection = {
  id: 'sentiment',
  title: 'Sentiment',
  async build(q) {
    const s = await sentiment(q.db, q.settings.track);
    const real = (await hasRealPosts(q.db)) ? await sentiment(q.db, q.settings.track, 'real') : null;
    const base = {
      id: this.id,
      title: this.title,
      description:
        `VADER compound score of each post agents wrote during the run (originals, quotes, replies), −1 to +1; positive from ${POSITIVE}, negative from ${NEGATIVE} (VADER's thresholds). ` +
        "Mean per step and cohort; per #topic; and in the reply threads of tracked posts; beside the dataset's real posts when the run has them.",
    };
    if (s.overall.posts === 0) return { ...base, html: emptyNote(NO_POSTS) };
    const sampled = s.scored < s.eligible ? ` (a uniform sample of the run's ${s.eligible.toLocaleString('en-US')})` : '';
    const line = (who: string, o: SentimentSummary, note = ''): string =>
      `${who}: ${o.posts.toLocaleString('en-US')} posts${note}: mean ${o.mean.toFixed(3)}; ${pct(o.positive)} positive, ${pct(o.neutral)} neutral, ${pct(o.negative)} negative.`;
    const overall = `<p class="note">${line("Agents' posts", s.overall, sampled)}${real && real.overall.posts > 0 ? `<br>${line("The dataset's real posts", real.overall)}` : ''}</p>`;
    const realTopic = new Map((real?.byTopic ?? []).map((t) => [t.topic, t]));
    const topics = htmlTable(
      ['#topic', 'posts', 'mean', 'positive', 'neutral', 'negative', ...(real ? ['real: posts', 'real: mean'] : [])],
      s.byTopic.slice(0, TOPICS).map((t) => {
        const r = realTopic.get(t.topic);
        return [`#${t.topic}`, t.posts, t.mean.toFixed(3), pct(t.positive), pct(t.neutral), pct(t.negative), ...(real ? [r?.posts ?? 0, r ? r.mean.toFixed(3) : '—'] : [])];
      }),
      { numeric: real ? [1, 2, 3, 4, 5, 6, 7] : [1, 2, 3, 4, 5] },
    );
    const replies =
      s.replies.length === 0
        ? '<p class="note">No tracked post has replies.</p>'
        : htmlTable(
            ['tracked post', 'author', 'label', 'replies', 'mean', 'positive', 'negative'],
            s.replies.map((r) => [`#${r.post_id}`, `@${r.author}`, r.label, r.posts, r.mean.toFixed(3), pct(r.positive), pct(r.negative)]),
            { numeric: [3, 4, 5, 6] },
          );
    return {
      ...base,
      html: `${overall}\n${topics}\n<h3>Replies to tracked posts</h3>\n${replies}`,
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        data: { name: 'sentiment', values: s.byStep },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'step', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
          y: { field: 'mean', type: 'quantitative', title: 'mean compound score' },
          color: { field: 'cohort', type: 'nominal' },
          tooltip: [
            { field: 'cohort', type: 'nominal' },
            { field: 'step', type: 'quantitative' },
            { field: 'posts', type: 'quantitative' },
            { field: 'mean', type: 'quantitative', format: '.3f' },
            { field: 'positive', type: 'quantitative', format: '.1%' },
            { field: 'negative', type: 'quantitative', format: '.1%' },
          ],
        },
      },
    };
  },
};
