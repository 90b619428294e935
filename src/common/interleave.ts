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
    out.push(interleaveTakesFirst(i, j, a.length, b.length) ? a[i++]! : b[j++]!);
  }
  return out;
}

/**
 * Whether `interleave` takes its next item from the first list, after `i` of its `a` items and
 * `j` of the second's `b`: while the first is at or behind its share a/(a + b) of the items
 * placed so far.
 */
export function interleaveTakesFirst(i: number, j: number, a: number, b: number): boolean {
  return j >= b || (i < a && i * (a + b) < a * (i + j + 1));
}
