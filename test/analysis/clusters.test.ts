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

describe('hot news on the real side', () => {
  it("when real posts carry their dataset times then they are clustered on steps counted from the first of them, apart from agents' posts", async () => {
    // Real posts open the run (created_step 0) but were written over eight hours in the dataset:
    // ten about football from hour 0 to 4, eight about a volcano in hours 4 and 5. With 1-hour
    // steps counted from the first real post (10:00), the volcano falls on steps 4 and 5 of
    // window 0..5: all 8 in the second half (growth 8); football at hours 0,1,2,3,4,0,1,2,3,4
    // has 6 before step 3 and 4 from it (growth −2).
    const football = Array.from({ length: 10 }, (_, i) => [100 + i, i % 5, 'football match tonight'] as const);
    const volcano = Array.from({ length: 8 }, (_, i) => [200 + i, 4 + (i % 2), 'volcano eruption lava'] as const);
    const real = [...football, ...volcano];
    db = await makeDb([
      users([[2, 'agent']]),
      `INSERT INTO posts (post_id, author_id, text, kind, created_step, created_at) VALUES ${real.map(([id]) => `(${id}, 2, '${real.find((r) => r[0] === id)![2]}', 'original', 0, TIMESTAMP '2024-06-01 00:00:00')`).join(', ')}`,
      `INSERT INTO dataset_posts (post_id, dataset_id, track, real_time) VALUES ${real.map(([id, hour]) => `(${id}, 'd${id}', false, TIMESTAMP '2023-03-01 10:00:00' + INTERVAL ${hour} HOUR)`).join(', ')}`,
      // One agent post during the run: on the sim side only.
      written([[300, 2, 'agents write about gardening']]),
      `INSERT INTO meta VALUES ('opening_posts', '299')`,
    ]);
    const h = await withSimDb(db.dbPath, (d) => hotNews(d, 7, 6, 'real', 3_600_000));
    expect(h.clusters.map((c) => [c.rank, c.posts, c.growth, c.first_step])).toEqual([
      [1, 8, 8, 4],
      [2, 10, -2, 0],
    ]);
    expect(h.clusters[0]!.label.split(' ').sort()).toEqual(['eruption', 'lava', 'volcano']);
    const sim = await withSimDb(db.dbPath, (d) => hotNews(d, 7, 6, 'sim', 3_600_000));
    expect(sim.clusters.map((c) => c.posts)).toEqual([1]);
  });
});
