/** Posts versus persona (analysis/persona-fit.ts): per cohort, how closely agents' posts follow their personas. */
import { personaFit } from '../../analysis/persona-fit.js';
import { htmlTable } from '../html.js';
import { emptyNote, NO_POSTS } from './empty.js';
import type { ReportSection } from '../types.js';

const f3 = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(3));

export const personaSection: ReportSection = {
  id: 'persona',
  title: 'Posts versus persona',
  async build(q) {
    const rows = await personaFit(q.db);
    const base = {
      id: this.id,
      title: this.title,
      description:
        "Per cohort: the TF-IDF cosine between each agent's persona (bio and interests) and its posts, beside the same cosine with another agent's persona (baseline); " +
        "and a nearest-centroid classifier's 5-fold cross-validated accuracy at telling the persona's first interest from the posts, beside chance (the commonest interest's share).",
    };
    if (rows.length === 0 || rows[0]!.agents === 0) return { ...base, html: emptyNote(NO_POSTS) };
    return {
      ...base,
      html: htmlTable(
        ['agents', 'writers', 'similarity', 'baseline', 'accuracy', 'chance'],
        rows.map((r) => [r.cohort, r.agents, f3(r.similarity), f3(r.baseline), f3(r.accuracy), f3(r.chance)]),
        { numeric: [1, 2, 3, 4, 5] },
      ),
    };
  },
};
