/** Posts versus persona (analysis/persona-fit.ts): per cohort, how closely agents' posts follow their personas. */
import { personaFit } from '../../analysis/persona-fit.js';
import { hasRealPosts } from '../../analysis/sides.js';
import { htmlTable } from '../html.js';
import { emptyNote, NO_POSTS } from './empty.js';
import type { ReportSection } from '../types.js';

const f3 = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(3));

export const personaSection: ReportSection = {
  id: 'persona',
  title: 'Posts versus persona',
  async build(q) {
    const rows = await personaFit(q.db);
    const real = (await hasRealPosts(q.db)) ? await personaFit(q.db, 'real') : [];
    const base = {
      id: this.id,
      title: this.title,
      description:
        "Per cohort: the TF-IDF cosine between each agent's persona (bio and interests) and its posts, beside the same cosine with another agent's persona (baseline); " +
        "and a nearest-centroid classifier's 5-fold cross-validated accuracy at telling the persona's first interest from the posts, beside chance (the commonest interest's share). " +
        "Beside them, the same for the dataset's real posts against the profiles of the accounts that wrote them, when the run has them.",
    };
    if (rows.length === 0 || rows[0]!.agents === 0) return { ...base, html: emptyNote(NO_POSTS) };
    const sides = [...rows.map((r) => ['sim', r] as const), ...(real.length > 0 && real[0]!.agents > 0 ? real.map((r) => ['real', r] as const) : [])];
    return {
      ...base,
      html: htmlTable(
        ['side', 'agents', 'writers', 'similarity', 'baseline', 'accuracy', 'chance'],
        sides.map(([side, r]) => [side, r.cohort, r.agents, f3(r.similarity), f3(r.baseline), f3(r.accuracy), f3(r.chance)]),
        { numeric: [2, 3, 4, 5, 6] },
      ),
    };
  },
};
