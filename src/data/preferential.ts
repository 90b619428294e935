import { EdgeList } from '../common/edge-list.js';
import { Rng } from '../common/rng.js';
import type { Persona } from './personas.js';
import { StanceTable } from './stance.js';

/**
 * A pool of accounts to follow, drawn with P(v) ∝ in-degree(v) + k0 in O(1): every account
 * that has joined is listed once in `members` and once more in `endpoints` per follower
 * it has, so a uniform pick over k0·|members| + |endpoints| slots is the weighted pick.
 */
class Pool {
  readonly members: number[] = [];
  readonly endpoints: number[] = [];

  pick(rng: Rng, k0: number): number | undefined {
    const uniform = k0 * this.members.length;
    const r = rng.next() * (uniform + this.endpoints.length);
    if (r < uniform) return this.members[Math.floor(r / k0)];
    return this.endpoints[Math.floor(r - uniform)] ?? this.members[this.members.length - 1];
  }
}

/**
 * Directed preferential attachment (Price's model) with homophily. Agents join in a seeded
 * random order (so the first cohort does not get the hubs); on joining, an agent follows
 * ~`meanOutDegree` earlier agents, each drawn ∝ in-degree + k0 — among accounts sharing one of
 * its interests with probability `homophily`, else among all — and refused with a chance that
 * grows with the stance gap (`stanceHomophily`). The in-degree tail is a power law with
 * exponent ≈ 2 + k0 / meanOutDegree. Early agents, who found few accounts to follow, top up
 * their follows from the full population once everyone has joined, so every agent ends with
 * its drawn out-degree.
 */
export function preferentialEdges(seed: number, personas: readonly Persona[], meanOutDegree: number, homophily: number, k0: number, stanceHomophily: number): EdgeList {
  const n = personas.length;
  const order = personas.map((_, i) => i);
  const shuffle = Rng.derive(seed, 'follow-graph', 'arrival');
  for (let i = n - 1; i > 0; i--) {
    const j = shuffle.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }

  const everyone = new Pool();
  const topicPool = new Map<string, Pool>();
  const poolsOf = personas.map((p) => [...new Set(p.interests)].map((t) => topicPool.get(t) ?? topicPool.set(t, new Pool()).get(t)!));
  const rngs = personas.map((p) => Rng.derive(seed, 'follow-graph', p.userId));
  const want = rngs.map((rng) => Math.min(n - 1, Math.round(meanOutDegree * (0.5 + rng.next()))));
  const chosen: number[][] = personas.map(() => []);
  const stances = new StanceTable(personas);

  const follow = (u: number, budget: number): void => {
    const rng = rngs[u] as Rng;
    const mine = chosen[u] as number[];
    const pools = poolsOf[u] as Pool[];
    const goal = Math.min(want[u] as number, mine.length + budget);
    for (let tries = 0; mine.length < goal && tries < (want[u] as number) * 10; tries++) {
      let pool = everyone;
      if (pools.length > 0 && rng.chance(homophily)) {
        const topical = rng.pick(pools);
        if (topical.members.length > 0) pool = topical;
      }
      const v = pool.pick(rng, k0);
      if (v === undefined || v === u || mine.includes(v)) continue;
      if (!stances.accepts(rng, stanceHomophily, u, v)) continue;
      mine.push(v);
      everyone.endpoints.push(v);
      for (const tp of poolsOf[v] as Pool[]) tp.endpoints.push(v);
    }
  };

  for (const u of order) {
    follow(u, everyone.members.length);
    everyone.members.push(u);
    for (const tp of poolsOf[u] as Pool[]) tp.members.push(u);
  }
  for (const u of order) if ((chosen[u] as number[]).length < (want[u] as number)) follow(u, n);

  const edges = new EdgeList(Math.round(n * meanOutDegree * 1.05));
  const ids = personas.map((p) => p.userId);
  const sorted = personas.map((_, i) => i).sort((a, b) => (ids[a] as number) - (ids[b] as number));
  for (const u of sorted) {
    const followees = (chosen[u] as number[]).map((v) => ids[v] as number).sort((a, b) => a - b);
    for (const v of followees) edges.push(ids[u] as number, v);
  }
  return edges;
}
