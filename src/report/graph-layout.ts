/**
 * A deterministic layout for the knowledge graph's picture (Vega-Lite draws points and rules but
 * cannot lay out a graph). Communities start on a circle, their nodes scattered around the
 * community's centre by a seeded Rng; then Fruchterman–Reingold (repulsion k²/d between every
 * pair, attraction d²/k · log(1 + weight) along edges, a cooling step cap) pulls linked nodes
 * together. Same nodes, edges and Rng → the same picture. Meant for tens of nodes (O(n²) a step).
 */
import type { Rng } from '../common/rng.js';

export interface LayoutNode {
  id: string;
  community: number;
}

export interface LayoutEdge {
  source: string;
  target: string;
  weight: number;
}

export interface Point {
  x: number;
  y: number;
}

export const LAYOUT_ITERATIONS = 300;

/** Positions in [0, 1]² for each node id. */
export function forceLayout(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], rng: Rng, iterations = LAYOUT_ITERATIONS): Map<string, Point> {
  const n = nodes.length;
  const out = new Map<string, Point>();
  if (n === 0) return out;
  const index = new Map(nodes.map((v, i) => [v.id, i]));
  const communities = [...new Set(nodes.map((v) => v.community))].sort((a, b) => a - b);
  const slot = new Map(communities.map((c, i) => [c, i]));
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  nodes.forEach((v, i) => {
    const angle = (2 * Math.PI * slot.get(v.community)!) / communities.length;
    const r = communities.length > 1 ? 0.35 : 0;
    x[i] = 0.5 + r * Math.cos(angle) + 0.1 * (rng.next() - 0.5);
    y[i] = 0.5 + r * Math.sin(angle) + 0.1 * (rng.next() - 0.5);
  });
  const links = edges.flatMap((e) => {
    const a = index.get(e.source);
    const b = index.get(e.target);
    return a === undefined || b === undefined || a === b ? [] : [[a, b, Math.log1p(e.weight)] as const];
  });
  const k = Math.sqrt(1 / n);
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    dx.fill(0);
    dy.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const ex = x[i]! - x[j]!;
        const ey = y[i]! - y[j]!;
        const d = Math.max(Math.hypot(ex, ey), 1e-4);
        const f = (k * k) / d;
        dx[i]! += (ex / d) * f;
        dy[i]! += (ey / d) * f;
        dx[j]! -= (ex / d) * f;
        dy[j]! -= (ey / d) * f;
      }
    }
    for (const [a, b, w] of links) {
      const ex = x[a]! - x[b]!;
      const ey = y[a]! - y[b]!;
      const d = Math.max(Math.hypot(ex, ey), 1e-4);
      const f = ((d * d) / k) * w;
      dx[a]! -= (ex / d) * f;
      dy[a]! -= (ey / d) * f;
      dx[b]! += (ex / d) * f;
      dy[b]! += (ey / d) * f;
    }
    const t = 0.1 * (1 - it / iterations);
    for (let i = 0; i < n; i++) {
      const d = Math.hypot(dx[i]!, dy[i]!);
      if (d > 0) {
        x[i]! += (dx[i]! / d) * Math.min(d, t);
        y[i]! += (dy[i]! / d) * Math.min(d, t);
      }
    }
  }
  // Fit the drawing to the unit square (a lone node sits in the middle).
  const span = (v: Float64Array): [number, number] => [Math.min(...v), Math.max(...v)];
  const [x0, x1] = span(x);
  const [y0, y1] = span(y);
  const fit = (v: number, lo: number, hi: number): number => (hi - lo < 1e-9 ? 0.5 : (v - lo) / (hi - lo));
  nodes.forEach((v, i) => out.set(v.id, { x: fit(x[i]!, x0, x1), y: fit(y[i]!, y0, y1) }));
  return out;
}
