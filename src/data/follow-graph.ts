import { Rng } from '../common/rng.js';
import type { Persona } from './personas.js';

/** Weighted sampling by binary search over a cumulative weight array. */
class WeightedPicker {
  private readonly cumulative: Float64Array;
  constructor(
    readonly ids: readonly number[],
    weights: readonly number[],
  ) {
    this.cumulative = new Float64Array(ids.length);
    let sum = 0;
    weights.forEach((w, i) => (this.cumulative[i] = sum += w));
  }

  pick(rng: Rng): number {
    const target = rng.next() * (this.cumulative[this.cumulative.length - 1] ?? 0);
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) <= target) lo = mid + 1;
      else hi = mid;
    }
    return this.ids[lo] as number;
  }
}

/**
 * The initial follow graph: each agent follows ~`meanOutDegree` others, chosen in proportion
 * to their influence, from accounts sharing one of its interests with probability `homophily`
 * and from everyone otherwise. Gives the heavy-tailed in-degree and topical clustering that
 * real follow graphs show. Returns [follower, followee] pairs, no self-loops, no repeats.
 */
export function generateFollowGraph(seed: number, personas: readonly Persona[], meanOutDegree: number, homophily: number): [number, number][] {
  if (meanOutDegree <= 0 || personas.length < 2) return [];
  const byTopic = new Map<string, Persona[]>();
  for (const p of personas) for (const t of p.interests) (byTopic.get(t) ?? byTopic.set(t, []).get(t)!).push(p);
  const topicPickers = new Map([...byTopic].map(([t, ps]) => [t, new WeightedPicker(ps.map((p) => p.userId), ps.map((p) => p.influence))]));
  const everyone = new WeightedPicker(personas.map((p) => p.userId), personas.map((p) => p.influence));

  const edges: [number, number][] = [];
  for (const p of personas) {
    const rng = Rng.derive(seed, 'follow-graph', p.userId);
    const want = Math.min(personas.length - 1, Math.round(meanOutDegree * (0.5 + rng.next())));
    const chosen = new Set<number>();
    for (let tries = 0; chosen.size < want && tries < want * 10; tries++) {
      const topical = p.interests.length > 0 && rng.chance(homophily);
      const picker = topical ? topicPickers.get(rng.pick(p.interests)) ?? everyone : everyone;
      const target = picker.pick(rng);
      if (target !== p.userId) chosen.add(target);
    }
    for (const target of [...chosen].sort((a, b) => a - b)) edges.push([p.userId, target]);
  }
  return edges;
}
