import { describe, expect, it } from 'vitest';
import type { GenerateConfig } from '../../src/config/types.js';
import { generateFollowGraph } from '../../src/data/follow-graph.js';
import { generatePersonas, type Persona } from '../../src/data/personas.js';

const GEN: GenerateConfig = {
  topics: ['politics', 'climate', 'sports', 'tech', 'science', 'music', 'entertainment', 'health'],
  interests_per_agent: 2,
  follows_per_agent: 10,
  homophily: 0.7,
  initial_posts_per_agent: 1,
};

const PERSONAS = generatePersonas(1, [{ name: 'a', count: 2000, model: 'stat', personas: 'generated', activity: 0.2 }], GEN);
const byId = new Map(PERSONAS.map((p) => [p.userId, p]));

function sharesInterest(a: Persona, b: Persona): boolean {
  return a.interests.some((t) => b.interests.includes(t));
}

function shareTopical(edges: readonly [number, number][]): number {
  return edges.filter(([f, t]) => sharesInterest(byId.get(f)!, byId.get(t)!)).length / edges.length;
}

const GRAPH = generateFollowGraph(2, PERSONAS, 10, 0.7);

describe('generateFollowGraph', () => {
  it('when a graph is generated then there are no self-loops', () => {
    expect(GRAPH.length).toBeGreaterThan(0);
    expect(GRAPH.filter(([f, t]) => f === t)).toEqual([]);
  });

  it('when a graph is generated then no edge repeats', () => {
    const keys = GRAPH.map(([f, t]) => `${f}>${t}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('when a graph is generated then every endpoint is a known agent', () => {
    expect(GRAPH.filter(([f, t]) => !byId.has(f) || !byId.has(t))).toEqual([]);
  });

  it('when follows_per_agent is 10 or 4 then the mean out-degree is within 20% of it', () => {
    expect(GRAPH.length / PERSONAS.length).toBeGreaterThan(8);
    expect(GRAPH.length / PERSONAS.length).toBeLessThan(12);
    const small = generateFollowGraph(2, PERSONAS, 4, 0.7);
    expect(small.length / PERSONAS.length).toBeGreaterThan(3.2);
    expect(small.length / PERSONAS.length).toBeLessThan(4.8);
  });

  it('when homophily is 1.0 then every edge links agents sharing an interest', () => {
    const edges = generateFollowGraph(3, PERSONAS, 10, 1);
    expect(edges.length / PERSONAS.length).toBeGreaterThan(8);
    expect(shareTopical(edges)).toBe(1);
  });

  it('when homophily is 0.0 then a clearly smaller share of edges links agents sharing an interest', () => {
    const edges = generateFollowGraph(3, PERSONAS, 10, 0);
    // Random pairs with 2 of 8 interests share one ~46% of the time.
    const share = shareTopical(edges);
    expect(share).toBeLessThan(0.7);
    expect(share).toBeLessThan(shareTopical(generateFollowGraph(3, PERSONAS, 10, 1)) - 0.3);
  });

  it('when a graph is generated then the in-degree is heavy-tailed (max ≫ mean)', () => {
    const inDeg = new Map<number, number>();
    for (const [, t] of GRAPH) inDeg.set(t, (inDeg.get(t) ?? 0) + 1);
    const mean = GRAPH.length / PERSONAS.length;
    const max = Math.max(...inDeg.values());
    expect(max).toBeGreaterThan(5 * mean);
    // And the most-followed agents are the most influential ones.
    const top = [...inDeg].sort((a, b) => b[1] - a[1])[0]![0];
    const influences = PERSONAS.map((p) => p.influence).sort((a, b) => b - a);
    expect(byId.get(top)!.influence).toBeGreaterThanOrEqual(influences[20]!);
  });

  it('when edges are listed then they are grouped by follower ascending, followees ascending', () => {
    const outOfOrder = GRAPH.filter((e, i) => {
      if (i === 0) return false;
      const [pf, pt] = GRAPH[i - 1]!;
      const [f, t] = e;
      return !(f > pf || (f === pf && t > pt));
    });
    expect(outOfOrder).toEqual([]);
  });

  it('when the seed is the same then the graph is identical, and another seed changes it', () => {
    expect(generateFollowGraph(2, PERSONAS, 10, 0.7)).toEqual(GRAPH);
    expect(generateFollowGraph(4, PERSONAS, 10, 0.7)).not.toEqual(GRAPH);
  });

  it('when follows_per_agent is 0 or there is a single agent then there are no edges', () => {
    expect(generateFollowGraph(2, PERSONAS, 0, 0.7)).toEqual([]);
    expect(generateFollowGraph(2, PERSONAS.slice(0, 1), 10, 0.7)).toEqual([]);
  });

  it('when there are fewer agents than follows_per_agent then nobody follows more than everyone else', () => {
    const few = PERSONAS.slice(0, 4);
    const edges = generateFollowGraph(2, few, 50, 0);
    const out = new Map<number, number>();
    for (const [f] of edges) out.set(f, (out.get(f) ?? 0) + 1);
    for (const n of out.values()) expect(n).toBeLessThanOrEqual(3);
    for (const [f, t] of edges) expect(f).not.toBe(t);
  });
});
