import type { Interactions } from '../../channel/snapshot.js';

/**
 * The standing interactions as an unweighted bipartite graph (a like and a repost of one post
 * by one user are one edge), stored in both CSR orientations. Rows follow `users` and `items`,
 * which are ascending ids and may include ids without edges (entities a warm-started model
 * still carries), so a row index is also the row of the model's embedding tables.
 */
export interface InteractionIndex {
  readonly users: Int32Array;
  readonly items: Int32Array;
  /** Edges of user row u are userItems[userPtr[u] .. userPtr[u+1]], item rows ascending. */
  readonly userPtr: Int32Array;
  readonly userItems: Int32Array;
  /** The user row of each position of `userItems`: lets a sampler draw edges uniformly. */
  readonly edgeUsers: Int32Array;
  /** Edges of item row i are itemUsers[itemPtr[i] .. itemPtr[i+1]], user rows ascending. */
  readonly itemPtr: Int32Array;
  readonly itemUsers: Int32Array;
  readonly edges: number;
  readonly userRow: ReadonlyMap<number, number>;
  readonly itemRow: ReadonlyMap<number, number>;
}

/** The distinct values of `values`, ascending. */
export function uniqueSorted(values: Int32Array): Int32Array {
  const sorted = Int32Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i]!;
  return sorted.slice(0, n);
}

/** Sorted union of two ascending, duplicate-free id lists. */
export function unionSorted(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) out[n++] = a[i++]!;
    else if (y < x) out[n++] = b[j++]!;
    else {
      out[n++] = x;
      i++;
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++]!;
  while (j < b.length) out[n++] = b[j++]!;
  return out.slice(0, n);
}

export function rowMap(ids: Int32Array): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) m.set(ids[i]!, i);
  return m;
}

/**
 * The graph of `interactions` over the given rows; `users` and `items` must be ascending and
 * contain every user and post of the interactions.
 */
export function buildIndex(interactions: Interactions, users: Int32Array, items: Int32Array): InteractionIndex {
  const userRow = rowMap(users);
  const itemRow = rowMap(items);
  const n = interactions.users.length;
  // Pass 1: distinct (user, post) pairs per user row. The input is sorted by user then post,
  // so a like and a repost of the same post are adjacent.
  const userPtr = new Int32Array(users.length + 1);
  const rowsU = new Int32Array(n);
  const rowsI = new Int32Array(n);
  let edges = 0;
  for (let k = 0; k < n; k++) {
    const u = interactions.users[k]!;
    const p = interactions.posts[k]!;
    if (k > 0 && u === interactions.users[k - 1] && p === interactions.posts[k - 1]) continue;
    const ur = userRow.get(u);
    const ir = itemRow.get(p);
    if (ur === undefined || ir === undefined) throw new Error(`interaction (${u}, ${p}) outside the index rows`);
    rowsU[edges] = ur;
    rowsI[edges] = ir;
    userPtr[ur + 1]!++;
    edges++;
  }
  for (let u = 0; u < users.length; u++) userPtr[u + 1]! += userPtr[u]!;
  const userItems = new Int32Array(edges);
  const edgeUsers = new Int32Array(edges);
  const fill = userPtr.slice(0, users.length);
  for (let e = 0; e < edges; e++) {
    const ur = rowsU[e]!;
    const at = fill[ur]!++;
    userItems[at] = rowsI[e]!;
    edgeUsers[at] = ur;
  }
  // Rows grow with ids, so sorted input gives sorted segments; sort defensively if not.
  for (let u = 0; u < users.length; u++) {
    const seg = userItems.subarray(userPtr[u]!, userPtr[u + 1]!);
    for (let k = 1; k < seg.length; k++) {
      if (seg[k]! <= seg[k - 1]!) {
        seg.sort();
        break;
      }
    }
  }

  const itemPtr = new Int32Array(items.length + 1);
  for (let e = 0; e < edges; e++) itemPtr[userItems[e]! + 1]!++;
  for (let i = 0; i < items.length; i++) itemPtr[i + 1]! += itemPtr[i]!;
  const itemUsers = new Int32Array(edges);
  const ifill = itemPtr.slice(0, items.length);
  // Walking edges in user-row order leaves each item's users ascending.
  for (let e = 0; e < edges; e++) itemUsers[ifill[userItems[e]!]!++] = edgeUsers[e]!;

  return { users, items, userPtr, userItems, edgeUsers, itemPtr, itemUsers, edges, userRow, itemRow };
}

export function userDegree(index: InteractionIndex, userRow: number): number {
  return index.userPtr[userRow + 1]! - index.userPtr[userRow]!;
}

export function itemDegree(index: InteractionIndex, itemRow: number): number {
  return index.itemPtr[itemRow + 1]! - index.itemPtr[itemRow]!;
}

/** Whether user row u has an edge to item row i (binary search in its sorted segment). */
export function hasEdge(index: InteractionIndex, u: number, i: number): boolean {
  let lo = index.userPtr[u]!;
  let hi = index.userPtr[u + 1]! - 1;
  const items = index.userItems;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = items[mid]!;
    if (v === i) return true;
    if (v < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
