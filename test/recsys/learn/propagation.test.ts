import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/common/rng.js';
import { buildIndex } from '../../../src/recsys/learn/interaction-index.js';
import { layerMean, nodeTables, propagate, propagationOf, type NodeTables } from '../../../src/recsys/learn/propagation.js';

function graph() {
  const pairs = [[1, 10], [1, 11], [2, 11], [2, 12], [3, 12], [3, 10], [3, 13]] as const;
  const index = buildIndex({ users: Int32Array.from(pairs, (p) => p[0]), posts: Int32Array.from(pairs, (p) => p[1]), kinds: new Uint8Array(pairs.length) }, Int32Array.from([1, 2, 3, 4]), Int32Array.from([10, 11, 12, 13]));
  return propagationOf(index);
}

function random(g: ReturnType<typeof graph>, dim: number, seed: number): NodeTables {
  const t = nodeTables(g, dim);
  const rng = Rng.derive(seed, 'prop');
  for (const a of [t.u, t.i]) for (let k = 0; k < a.length; k++) a[k] = rng.normal();
  return t;
}

const dot = (a: NodeTables, b: NodeTables): number => [...a.u].reduce((s, x, k) => s + x * b.u[k]!, 0) + [...a.i].reduce((s, x, k) => s + x * b.i[k]!, 0);

describe('LightGCN propagation', () => {
  it('when an edge joins user u and post i then its weight is 1/√(deg u · deg i)', () => {
    const g = graph();
    // User 1 (degree 2) – post 10 (degree 2): 1/2. User 3 (degree 3) – post 13 (degree 1): 1/√3.
    expect(g.userSide[0]).toBeCloseTo(0.5, 6);
    expect(g.userSide[g.index.userPtr[3]! - 1]).toBeCloseTo(1 / Math.sqrt(3), 6);
  });

  it('when applied to x and y then ⟨y, Âx⟩ = ⟨Ây, x⟩, so the same map carries gradients back', () => {
    const g = graph();
    const dim = 5;
    const x = random(g, dim, 1);
    const y = random(g, dim, 2);
    const ax = nodeTables(g, dim);
    const ay = nodeTables(g, dim);
    propagate(g, x, ax, dim);
    propagate(g, y, ay, dim);
    expect(dot(y, ax)).toBeCloseTo(dot(ay, x), 4);
    const mx = nodeTables(g, dim);
    const my = nodeTables(g, dim);
    layerMean(g, x, 3, dim, mx, nodeTables(g, dim), nodeTables(g, dim));
    layerMean(g, y, 3, dim, my, nodeTables(g, dim), nodeTables(g, dim));
    expect(dot(y, mx)).toBeCloseTo(dot(my, x), 4);
  });

  it('when a user has no edges then its final vector is its own layer-0 vector over K+1', () => {
    const g = graph();
    const x = random(g, 2, 3);
    const out = nodeTables(g, 2);
    layerMean(g, x, 2, 2, out, nodeTables(g, 2), nodeTables(g, 2));
    expect(out.u[3 * 2]).toBeCloseTo(x.u[3 * 2]! / 3, 6);
  });
});
