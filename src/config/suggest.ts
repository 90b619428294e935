/** "Did you mean …?" hints: optimal-string-alignment (Damerau) distance ≤ 2, or a prefix match. */

/** Edit distance counting insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  const d: number[][] = Array.from({ length: n + 1 }, (_, i) =>
    Array.from({ length: m + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= n; i++) {
    const row = d[i];
    if (!row) continue;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, at(i - 2, j - 2) + 1);
      }
      row[j] = v;
    }
  }
  return at(n, m);
}

/**
 * The candidate `word` was most likely meant to be, or undefined. Case is ignored. A candidate
 * qualifies at distance ≤ 2 (≤ 1 for words of 3 characters or fewer) or when one is a prefix of
 * the other (both at least 3 characters long).
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const cand of candidates) {
    const c = cand.toLowerCase();
    if (c === w) return cand;
    const dist = editDistance(w, c);
    const maxDist = Math.min(w.length, c.length) <= 3 ? 1 : 2;
    let score = dist <= maxDist ? dist : Number.POSITIVE_INFINITY;
    if (
      score === Number.POSITIVE_INFINITY &&
      Math.min(w.length, c.length) >= 3 &&
      (c.startsWith(w) || w.startsWith(c))
    ) {
      score = 2.5;
    }
    if (score < bestScore) {
      bestScore = score;
      best = cand;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates);
  return s === undefined ? '' : ` (did you mean "${s}"?)`;
}
