import { afterEach, describe, expect, it } from 'vitest';
import { clusterCount, hotNews } from '../../src/analysis/clusters.js';
import { sphericalKMeans } from '../../src/analysis/kmeans.js';
import { withSimDb } from '../../src/analysis/open.js';
import { tfidfVectors } from '../../src/analysis/tfidf-vectors.js';
import { Rng } from '../../src/common/rng.js';
import { makeDb, users, type TestDb } from './cascade-db.js';

let db: TestDb | undefined;
afterEach(() => db?.cleanup());

/** `posts` rows of agent 2: `[post_id, step, text]`. */
const written = (rows: readonly (readonly [number, number, string])[]): string =>
  `INSERT INTO posts (post_id, author_id, text, kind, created_step, created_at) VALUES ${rows
    .map(([id, step, t]) => `(${id}, 2, '${t}', 'original', ${step}, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL ${step} HOUR)`)
    .join(', ')}`;

describe('spherical k-means', () => {
  it('when points form groups with no term in common then every seed finds the groups', () => {
    const texts = ['red apple', 'red apple pie', 'apple red', 'blue sea', 'sea blue wave', 'blue sea'];
    const v = tfidfVectors(texts);
    for (const seed of [1, 2, 3, 4, 5]) {
      const { assignment } = sphericalKMeans(v, 2, new Rng(seed));
      expect(new Set(assignment.slice(0, 3)).size, `seed ${seed}`).toBe(1);
      expect(new Set(assignment.slice(3)).size, `seed ${seed}`).toBe(1);
      expect(assignment[0]).not.toBe(assignment[3]);
    }
  });

  it('when asked for more clusters than distinct points then it makes only as many as there are', () => {
    const v = tfidfVectors(['x y', 'x y', 'z w']);
    const { centroids, assignment } = sphericalKMeans(v, 3, new Rng(9));
    expect(centroids).toHaveLength(2);
    expect(assignment[0]).toBe(assignment[1]);
  });
});

describe('hot news', () => {
  it('when a story breaks late in a window then its cluster is found, labelled by its words, and ranked first by growth', async () => {
    // Steps 0..5 are one window (the trends' 6). Ten football posts spread over it; eight
    // volcano posts at steps 4 and 5 only.
    const football = Array.from({ length: 10 }, (_, i) => [100 + i, i % 6, 'football match tonight'] as const);
    const volcano = Array.from({ length: 8 }, (_, i) => [200 + i, 4 + (i % 2), 'volcano eruption lava'] as const);
    db = await makeDb([users([[2, 'agent']]), written([...football, ...volcano])]);
    // 18 posts: k = ⌊√(18 / 4)⌋ = 2.
    expect(clusterCount(18)).toBe(2);
    const h = await withSimDb(db.dbPath, (d) => hotNews(d, 7));
    expect(h.clusters).toHaveLength(2);
    const [first, second] = h.clusters;
    // The volcano: 8 posts, all in the second half (steps ≥ 3): growth 8 − 0.
    expect(first).toMatchObject({ from_step: 0, rank: 1, posts: 8, growth: 8, first_step: 4 });
    expect(first!.label.split(' ').sort()).toEqual(['eruption', 'lava', 'volcano']);
    // Football: steps 0,1,2,3,4,5,0,1,2,3 → 6 posts before step 3, 4 after: growth −2.
    expect(second).toMatchObject({ rank: 2, posts: 10, growth: -2, first_step: 0 });
    expect(h.steps.filter((s) => s.rank === 1)).toEqual([
      { from_step: 0, rank: 1, step: 4, posts: 4 },
      { from_step: 0, rank: 1, step: 5, posts: 4 },
    ]);
  });
});
