/** The most liked and reposted posts, as an HTML table. */
import { topPosts } from '../../analysis/run-metrics.js';
import { htmlTable } from '../html.js';
import type { ReportSection } from '../types.js';

export const topPostsSection: ReportSection = {
  id: 'top-posts',
  title: 'Top posts',
  async build(q) {
    const rows = await topPosts(q.db, q.topPosts);
    return {
      id: this.id,
      title: this.title,
      description: `The ${q.topPosts} posts with the most likes + reposts.`,
      html: htmlTable(
        ['#', 'post', 'author', 'text', 'kind', 'label', 'step', 'likes', 'reposts'],
        rows.map((r, i) => [i + 1, String(r.post_id), `@${r.author}`, r.text, r.kind, r.label, r.created_step, r.likes, r.reposts]),
        {
          className: 'posts',
          numeric: [1],
          empty:
            'No post was liked or reposted. Agents like and repost what their feeds show them: more steps (clock.timesteps), more active agents (cohorts[].activity) ' +
            'or, for statistical agents, a higher models.<model>.like_base / repost_base give engagement.',
        },
      ),
    };
  },
};
