/**
 * Merges two ranked lists so that every prefix holds about their overall proportions of
 * each (the first list wins a tie): agents read only the head of a feed, so concatenating
 * would give a reader of half a feed nothing but the first list.
 */
export function interleave<T>(a: readonly T[], b: readonly T[]): T[] {
  const total = a.length + b.length;
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i + j < total) {
    // Take from `a` while it is at or behind its share a/total of the items placed so far.
    const takeA = j >= b.length || (i < a.length && i * total < a.length * (i + j + 1));
    out.push(takeA ? a[i++]! : b[j++]!);
  }
  return out;
}
