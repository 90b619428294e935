/**
 * Scale, depth and max breadth of a cascade over time, the way the reference experiment (OASIS's
 * propagation study on Twitter15/16) reads them: on an absolute axis in minutes from the source
 * post, at every whole minute (or step, when steps are longer) up to a horizon, each point the
 * tree of the users who joined at or before it:
 *
 * - scale: users in it, the source's author (the root) included;
 * - depth: the longest path from the root in it (the root alone: 0);
 * - max breadth: the most users at one depth below the root (the root's level left out, so the
 *   root alone: 0).
 *
 * A user whose parent joins later than they do (real data has such timestamps) counts in scale
 * from their own time, but in depth and breadth only once the path from the root is complete,
 * as a breadth-first search over the time-cut graph finds it.
 */

export const CASCADE_METRICS = ['scale', 'depth', 'breadth'] as const;
export type CascadeMetric = (typeof CASCADE_METRICS)[number];
/** How a metric is named in tables and charts. */
export const METRIC_TITLES: Readonly<Record<CascadeMetric, string>> = { scale: 'scale', depth: 'depth', breadth: 'max breadth' };

/** Curve points at minute k·stepMin, k = 0 … points − 1. */
export interface Grid {
  readonly stepMin: number;
  readonly points: number;
}

export interface Curves {
  readonly scale: Float64Array;
  readonly depth: Float64Array;
  readonly breadth: Float64Array;
}

/** A node of a tree: when it joined (minutes after the source) and its depth; `parent` indexes the list, −1 for the root. */
export interface TimedNode {
  readonly t: number;
  readonly depth: number;
  readonly parent: number;
}

/**
 * The reference grid: one point a minute, or one a step when steps are longer than a minute,
 * from 0 up to (not including) the horizon: 150 minutes give points 0, 1, …, 149.
 */
export function gridFor(horizonMs: number, stepMs: number | undefined): Grid {
  const stepMin = Math.max(1, (stepMs ?? 60_000) / 60_000);
  const horizonMin = horizonMs / 60_000;
  return { stepMin, points: Math.max(1, Math.ceil(horizonMin / stepMin - 1e-9)) };
}

export const gridMinutes = (g: Grid): number[] => Array.from({ length: g.points }, (_, k) => k * g.stepMin);

/**
 * The three curves of one tree on `grid`. Nodes need not be sorted; the root is the node with
 * parent −1 (time 0 in a well-formed cascade). Beyond the last join the curves stay at their
 * last value, which is how a cascade that ended before the horizon is padded.
 */
export function treeCurves(nodes: readonly TimedNode[], grid: Grid): Curves {
  const n = nodes.length;
  // When each node is reachable from the root through nodes already there.
  const reach = new Float64Array(n).fill(NaN);
  let reached: Int32Array;
  let joined: Float64Array;
  if (inJoinOrder(nodes)) {
    // Simulated trees: by time, every parent before its children, so each node is reachable when it joins.
    reached = Int32Array.from({ length: n }, (_, i) => i);
    joined = Float64Array.from(nodes, (x) => x.t);
    reach.set(joined);
  } else {
    const byDepth = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => nodes[a]!.depth - nodes[b]!.depth);
    for (const i of byDepth) {
      const node = nodes[i]!;
      const p = node.parent;
      const above = p < 0 ? -Infinity : Number.isNaN(reach[p]!) ? 0 : reach[p]!;
      reach[i] = Math.max(node.t, above);
    }
    joined = Float64Array.from(nodes, (x) => x.t).sort();
    reached = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => reach[a]! - reach[b]!);
  }
  const scale = new Float64Array(grid.points);
  const depth = new Float64Array(grid.points);
  const breadth = new Float64Array(grid.points);
  const atLevel: number[] = [];
  let j = 0;
  let r = 0;
  let maxDepth = 0;
  let maxBreadth = 0;
  for (let k = 0; k < grid.points; k++) {
    const t = k * grid.stepMin;
    while (j < n && joined[j]! <= t) j++;
    while (r < n && reach[reached[r]!]! <= t) {
      const d = nodes[reached[r++]!]!.depth;
      if (d > maxDepth) maxDepth = d;
      if (d > 0) {
        atLevel[d] = (atLevel[d] ?? 0) + 1;
        if (atLevel[d]! > maxBreadth) maxBreadth = atLevel[d]!;
      }
    }
    scale[k] = j;
    depth[k] = maxDepth;
    breadth[k] = maxBreadth;
  }
  return { scale, depth, breadth };
}

/** True when nodes come by time and each parent comes before its children (and not later in time). */
function inJoinOrder(nodes: readonly TimedNode[]): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (i > 0 && node.t < nodes[i - 1]!.t) return false;
    if (node.parent >= i || (node.parent < 0 && i > 0)) return false;
  }
  return nodes.length === 0 || nodes[0]!.parent < 0;
}

/** A whole tree's figures (every node joined): users, longest path, most users at one depth below the root. */
export function finalFigures(nodes: readonly TimedNode[]): { scale: number; depth: number; breadth: number } {
  const atLevel = new Map<number, number>();
  let depth = 0;
  for (const n of nodes) {
    depth = Math.max(depth, n.depth);
    if (n.depth > 0) atLevel.set(n.depth, (atLevel.get(n.depth) ?? 0) + 1);
  }
  return { scale: nodes.length, depth, breadth: Math.max(0, ...atLevel.values()) };
}

/**
 * The reference experiment's normalised RMSE: √(mean (sim − real)²) / max(real), for two curves
 * on one grid. Null when the real curve is 0 throughout (nothing to normalise by).
 */
export function nrmse(sim: ArrayLike<number>, real: ArrayLike<number>): number | null {
  checkLengths(sim, real);
  const top = maxOf(real);
  return top > 0 ? rmse(sim, real) / top : null;
}

/** RMSE over the real curve's range (max − min), an extra column for comparison with other work; null when the range is 0. */
export function nrmseByRange(sim: ArrayLike<number>, real: ArrayLike<number>): number | null {
  checkLengths(sim, real);
  let low = Infinity;
  for (let i = 0; i < real.length; i++) low = Math.min(low, real[i]!);
  const range = maxOf(real) - low;
  return range > 0 ? rmse(sim, real) / range : null;
}

export function rmse(sim: ArrayLike<number>, real: ArrayLike<number>): number {
  checkLengths(sim, real);
  let sq = 0;
  for (let i = 0; i < real.length; i++) sq += (sim[i]! - real[i]!) ** 2;
  return Math.sqrt(sq / real.length);
}

function checkLengths(sim: ArrayLike<number>, real: ArrayLike<number>): void {
  if (sim.length !== real.length || real.length === 0) throw new Error(`nrmse: curves of length ${sim.length} and ${real.length}`);
}

function maxOf(xs: ArrayLike<number>): number {
  let top = -Infinity;
  for (let i = 0; i < xs.length; i++) top = Math.max(top, xs[i]!);
  return top;
}
