import { EdgeList } from '../common/edge-list.js';
import { Rng } from '../common/rng.js';
import type { GenerateConfig } from '../config/types.js';
import { filledGenerate } from './generate-options.js';
import type { Persona } from './personas.js';
import { preferentialEdges } from './preferential.js';
import { StanceTable } from './stance.js';

/** The `dataset.generate` knobs of the graph beyond mean out-degree and interest homophily. */
export interface FollowGraphOptions {
  /** Default `influence`, the model the graph always had. */
  readonly model?: 'influence' | 'preferential';
  /** preferential: k0 in P(follow v) ∝ in-degree(v) + k0. Default 1. */
  readonly attachmentOffset?: number;
  /** Chance a follow across opposite stances is refused, × the stance gap in [0, 1]. Default 0. */
  readonly stanceHomophily?: number;
}

export function followGraphOptions(gen: GenerateConfig): FollowGraphOptions {
  const g = filledGenerate(gen);
  return { model: g.follow_model, attachmentOffset: g.attachment_offset, stanceHomophily: g.stance_homophily };
}

/**
 * Weighted sampling by binary search over a cumulative weight array; returns an item of `items`.
 * A million-entry search misses the cache at every step, so a table of where each of up to
 * 65,536 equal slices of the total weight starts narrows it first: the same index as the search
 * over the whole array (the table's bounds hold the answer with a slice to spare each side).
 */
export class WeightedPicker {
  private readonly cumulative: Float64Array;
  private readonly total: number;
  /** starts[b]: the first index whose cumulative weight exceeds b / slices of the total; starts[slices] = the last index. */
  private readonly starts: Int32Array;
  private readonly slices: number;
  constructor(
    private readonly items: Int32Array,
    weights: Float64Array,
  ) {
    const n = items.length;
    this.cumulative = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) this.cumulative[k] = sum += weights[items[k] as number] as number;
    this.total = sum;
    this.slices = Math.max(1, Math.min(65_536, n));
    this.starts = new Int32Array(this.slices + 1);
    let i = 0;
    for (let b = 0; b < this.slices; b++) {
      const x = (b / this.slices) * sum;
      while (i < n - 1 && (this.cumulative[i] as number) <= x) i++;
      this.starts[b] = i;
    }
    this.starts[this.slices] = Math.max(0, n - 1);
  }

  pick(rng: Rng): number {
    const target = rng.next() * (this.cumulative[this.cumulative.length - 1] ?? 0);
    let lo = 0;
    let hi = this.cumulative.length - 1;
    if (this.total > 0 && Number.isFinite(this.total)) {
      const b = Math.min(this.slices - 1, Math.floor((target / this.total) * this.slices));
      lo = this.starts[Math.max(0, b - 1)] as number;
      hi = this.starts[Math.min(this.slices, b + 2)] as number;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) <= target) lo = mid + 1;
      else hi = mid;
    }
    return this.items[lo] as number;
  }
}

/**
 * The initial follow graph: [follower, followee] pairs grouped by follower ascending, followees
 * ascending; no self-loops, no repeats. Each agent follows ~`meanOutDegree` others (uniform in
 * ±50%), from accounts sharing one of its interests with probability `homophily`.
 *
 * `influence` (default): followees drawn in proportion to each persona's Pareto influence, a
 * static-fitness model whose in-degree tail follows the influence's (exponent ≈ 2.5).
 * `preferential`: see preferential.ts.
 */
export function generateFollowGraph(seed: number, personas: readonly Persona[], meanOutDegree: number, homophily: number, options: FollowGraphOptions = {}): [number, number][] {
  return generateFollowEdges(seed, personas, meanOutDegree, homophily, options).toArray();
}

/** `generateFollowGraph` as an EdgeList: what a large setup uses (no object per edge). */
export function generateFollowEdges(seed: number, personas: readonly Persona[], meanOutDegree: number, homophily: number, options: FollowGraphOptions = {}): EdgeList {
  if (meanOutDegree <= 0 || personas.length < 2) return new EdgeList();
  const stanceHomophily = options.stanceHomophily ?? 0;
  if (options.model === 'preferential') return preferentialEdges(seed, personas, meanOutDegree, homophily, options.attachmentOffset ?? 1, stanceHomophily);

  // Pickers work on indices into `personas`; edges are written with user ids.
  const byTopic = new Map<string, number[]>();
  personas.forEach((p, i) => {
    for (const t of p.interests) (byTopic.get(t) ?? byTopic.set(t, []).get(t)!).push(i);
  });
  const influence = Float64Array.from(personas, (p) => p.influence);
  const topicPickers = new Map([...byTopic].map(([t, members]) => [t, new WeightedPicker(Int32Array.from(members), influence)]));
  const everyone = new WeightedPicker(Int32Array.from(personas, (_, i) => i), influence);
  const interestPickers = personas.map((p) => p.interests.map((t) => topicPickers.get(t) as WeightedPicker));
  const stances = new StanceTable(personas);

  const edges = new EdgeList(Math.round(personas.length * meanOutDegree * 1.05));
  const followees: number[] = [];
  personas.forEach((p, u) => {
    const rng = Rng.derive(seed, 'follow-graph', p.userId);
    const want = Math.min(personas.length - 1, Math.round(meanOutDegree * (0.5 + rng.next())));
    const pickers = interestPickers[u] as WeightedPicker[];
    const chosen = new Set<number>();
    for (let tries = 0; chosen.size < want && tries < want * 10; tries++) {
      const topical = pickers.length > 0 && rng.chance(homophily);
      const v = (topical ? rng.pick(pickers) : everyone).pick(rng);
      if (v === u || !stances.accepts(rng, stanceHomophily, u, v)) continue;
      chosen.add(v);
    }
    followees.length = 0;
    for (const v of chosen) followees.push((personas[v] as Persona).userId);
    followees.sort((a, b) => a - b);
    for (const id of followees) edges.push(p.userId, id);
  });
  return edges;
}
