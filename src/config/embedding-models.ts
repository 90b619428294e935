import type { Experiment } from './types.js';

/** Models the recommender embeds text with: `interest`'s or `twitter`'s embedding_model, at the start or set by an intervention. */
export function embeddingModels(exp: Experiment): string[] {
  const all = [exp.recsys, ...(exp.interventions ?? []).flatMap((iv) => (iv.action === 'set_recsys' && iv.recsys ? [iv.recsys] : []))];
  return [...new Set(all.flatMap((r) => ((r.kind === 'interest' || r.kind === 'twitter') && r.embedding_model !== undefined ? [r.embedding_model] : [])))];
}
