/**
 * The offline stance classifier: nearest centroid on TF-IDF vectors, trained on posts whose
 * author's stance is known (a generated persona's `stance` on the topic), scored out of fold.
 * Folds are by author (user id mod FOLDS), so no post is ever classified by a model that saw
 * its own author's posts: an author's vocabulary cannot leak into its own label.
 *
 * A post's margin is cos(post, for-centroid) − cos(post, against-centroid); its label is 'for'
 * when the margin is at least MARGIN, 'against' when at most −MARGIN, else 'neutral' (a post
 * sharing no weighted term with either centroid has margin 0 and is neutral).
 */
import { addInto, dot, normalised, type SparseVector } from './tfidf-vectors.js';

export type StanceLabel = 'for' | 'against' | 'neutral';
export const LABELS: readonly StanceLabel[] = ['for', 'against', 'neutral'];

/** Authors with a stance at least this far from 0 train the model (for: ≥ +DECIDED, against: ≤ −DECIDED). */
export const DECIDED = 0.33;
/** A post whose margin is smaller than this in absolute value is neutral. */
export const MARGIN = 0.05;
export const FOLDS = 5;

export interface StanceDoc {
  readonly author: number;
  readonly vector: SparseVector;
  /** The author's known side (training label), or null (undecided, unknown, or a real post). */
  readonly known: 'for' | 'against' | null;
}

/** The side of an author's stance value, null when undecided or absent. */
export function knownSide(stance: number | null | undefined): 'for' | 'against' | null {
  if (stance === null || stance === undefined || !Number.isFinite(stance)) return null;
  return stance >= DECIDED ? 'for' : stance <= -DECIDED ? 'against' : null;
}

export function labelOf(margin: number): StanceLabel {
  return margin >= MARGIN ? 'for' : margin <= -MARGIN ? 'against' : 'neutral';
}

const foldOf = (author: number): number => ((author % FOLDS) + FOLDS) % FOLDS;

/**
 * Each document's out-of-fold margin. The training set is `docs` with a known side; a document
 * is scored by the centroids of the training documents whose authors are in other folds. NaN
 * when that model lacks a side (too few decided authors outside the fold).
 */
export function outOfFoldMargins(docs: readonly StanceDoc[]): number[] {
  const margins = new Array<number>(docs.length).fill(Number.NaN);
  for (let f = 0; f < FOLDS; f++) {
    const sums = { for: new Map<string, number>(), against: new Map<string, number>() };
    const counts = { for: 0, against: 0 };
    for (const d of docs) {
      if (d.known === null || foldOf(d.author) === f) continue;
      addInto(sums[d.known], d.vector);
      counts[d.known]++;
    }
    if (counts.for === 0 || counts.against === 0) continue;
    const pro = normalised(sums.for);
    const con = normalised(sums.against);
    docs.forEach((d, i) => {
      if (foldOf(d.author) === f) margins[i] = dot(d.vector, pro) - dot(d.vector, con);
    });
  }
  return margins;
}

export interface HeldOut {
  /** Share of the training posts whose out-of-fold margin has their author's sign (0 counts wrong). */
  accuracy: number;
  /** The commoner side's share of the training posts: what always guessing it scores. */
  chance: number;
  /** Posts by decided authors. */
  trainPosts: number;
}

/** Held-out accuracy of the two-way decision (sign of the margin) on the training posts, against chance. */
export function heldOutAccuracy(docs: readonly StanceDoc[], margins: readonly number[]): HeldOut {
  let pro = 0;
  let con = 0;
  let tried = 0;
  let right = 0;
  docs.forEach((d, i) => {
    if (d.known === null) return;
    if (d.known === 'for') pro++;
    else con++;
    const m = margins[i]!;
    if (Number.isNaN(m)) return;
    tried++;
    if ((d.known === 'for' && m > 0) || (d.known === 'against' && m < 0)) right++;
  });
  const n = pro + con;
  return { accuracy: tried === 0 ? Number.NaN : right / tried, chance: n === 0 ? Number.NaN : Math.max(pro, con) / n, trainPosts: n };
}
