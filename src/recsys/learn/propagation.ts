import type { InteractionIndex } from './interaction-index.js';

/**
 * LightGCN's propagation matrix Â = D^-½ A D^-½ over the user–post bipartite graph, as one
 * weight 1/√(deg u · deg i) per edge in each CSR orientation. Â is symmetric, so the same
 * `propagate` carries embeddings forward and gradients backward.
 */
export interface Propagation {
  readonly index: InteractionIndex;
  /** Weight of each position of index.userItems. */
  readonly userSide: Float32Array;
  /** Weight of each position of index.itemUsers. */
  readonly itemSide: Float32Array;
}

export function propagationOf(index: InteractionIndex): Propagation {
  const { userPtr, userItems, itemPtr, itemUsers } = index;
  const invSqrt = (deg: number): number => (deg > 0 ? 1 / Math.sqrt(deg) : 0);
  const userSide = new Float32Array(index.edges);
  for (let u = 0; u < index.users.length; u++) {
    const du = invSqrt(userPtr[u + 1]! - userPtr[u]!);
    for (let p = userPtr[u]!; p < userPtr[u + 1]!; p++) {
      const i = userItems[p]!;
      userSide[p] = du * invSqrt(itemPtr[i + 1]! - itemPtr[i]!);
    }
  }
  const itemSide = new Float32Array(index.edges);
  for (let i = 0; i < index.items.length; i++) {
    const di = invSqrt(itemPtr[i + 1]! - itemPtr[i]!);
    for (let p = itemPtr[i]!; p < itemPtr[i + 1]!; p++) {
      const u = itemUsers[p]!;
      itemSide[p] = di * invSqrt(userPtr[u + 1]! - userPtr[u]!);
    }
  }
  return { index, userSide, itemSide };
}

/** A pair of tables over the graph's rows: users then posts, `dim` wide. */
export interface NodeTables {
  u: Float32Array;
  i: Float32Array;
}

export function nodeTables(g: Propagation, dim: number): NodeTables {
  return { u: new Float32Array(g.index.users.length * dim), i: new Float32Array(g.index.items.length * dim) };
}

/** dst = Â src: a user's row becomes the weighted sum of its posts' rows, and vice versa. */
export function propagate(g: Propagation, src: NodeTables, dst: NodeTables, dim: number): void {
  const { userPtr, userItems, itemPtr, itemUsers } = g.index;
  spmm(userPtr, userItems, g.userSide, src.i, dst.u, dim);
  spmm(itemPtr, itemUsers, g.itemSide, src.u, dst.i, dim);
}

/**
 * dst = W src for a CSR matrix W. Four columns at a time in registers across a row's edges:
 * the gathered source rows are random reads, and writing each output once instead of
 * updating it per edge was about twice as fast at 500k edges.
 */
function spmm(ptr: Int32Array, cols: Int32Array, w: Float32Array, src: Float32Array, dst: Float32Array, dim: number): void {
  const rows = ptr.length - 1;
  const dim4 = dim & ~3;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    const p0 = ptr[r]!;
    const p1 = ptr[r + 1]!;
    for (let d = 0; d < dim4; d += 4) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let p = p0; p < p1; p++) {
        const s = cols[p]! * dim + d;
        const wp = w[p]!;
        a0 += wp * src[s]!;
        a1 += wp * src[s + 1]!;
        a2 += wp * src[s + 2]!;
        a3 += wp * src[s + 3]!;
      }
      dst[o + d] = a0;
      dst[o + d + 1] = a1;
      dst[o + d + 2] = a2;
      dst[o + d + 3] = a3;
    }
    for (let d = dim4; d < dim; d++) {
      let a = 0;
      for (let p = p0; p < p1; p++) a += w[p]! * src[cols[p]! * dim + d]!;
      dst[o + d] = a;
    }
  }
}

/**
 * out = (x + Âx + … + Â^K x) / (K+1): LightGCN's layer combination (final embeddings from
 * layer-0 ones), and equally the gradient w.r.t. layer 0 from the gradient w.r.t. the final
 * ones, since the map is linear and symmetric. `cur` and `next` are scratch tables.
 */
export function layerMean(g: Propagation, x: NodeTables, layers: number, dim: number, out: NodeTables, cur: NodeTables, next: NodeTables): void {
  out.u.set(x.u);
  out.i.set(x.i);
  let from = x;
  for (let k = 0; k < layers; k++) {
    propagate(g, from, next, dim);
    addInto(out.u, next.u);
    addInto(out.i, next.i);
    from = next;
    next = cur;
    cur = from;
  }
  scale(out.u, 1 / (layers + 1));
  scale(out.i, 1 / (layers + 1));
}

function addInto(a: Float32Array, b: Float32Array): void {
  for (let k = 0; k < a.length; k++) a[k]! += b[k]!;
}

function scale(a: Float32Array, s: number): void {
  for (let k = 0; k < a.length; k++) a[k]! *= s;
}
