import { afterEach, describe, expect, it } from 'vitest';
import { knowledgeGraph, type KnowledgeGraph } from '../../src/analysis/knowledge-graph.js';
import { withSimDb } from '../../src/analysis/open.js';
import { compound } from '../../src/analysis/sentiment.js';
import { makeDb, type TestDb } from './cascade-db.js';

let db: TestDb | undefined;
afterEach(() => db?.cleanup());

/** `users` rows of agents: `[id, persona JSON]`, username u<id>. */
const agents = (rows: readonly (readonly [number, object])[]): string =>
  `INSERT INTO users VALUES ${rows.map(([id, persona]) => `(${id}, 'u${id}', 'U${id}', '', 'pop', 'm', 'agent', '${JSON.stringify(persona)}', 0)`).join(', ')}`;
/** `posts` rows: `[post_id, author, text]`, originals at step 1. */
const written = (rows: readonly (readonly [number, number, string])[]): string =>
  `INSERT INTO posts (post_id, author_id, text, kind, created_step, created_at) VALUES ${rows
    .map(([id, a, t]) => `(${id}, ${a}, '${t}', 'original', 1, TIMESTAMP '2024-01-01 01:00:00')`)
    .join(', ')}`;

async function graphOf(inserts: readonly string[], seed = 7): Promise<KnowledgeGraph> {
  db = await makeDb(inserts);
  return withSimDb(db.dbPath, (d) => knowledgeGraph(d, seed));
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('knowledge graph', () => {
  it('when two #tags share two posts then they co-occur with weight 2, and a pair or #tag seen once is left out', async () => {
    const g = await graphOf([
      agents([[1, {}], [2, {}], [3, {}]]),
      // #alpha: posts 1, 2, 3 → 3; #beta: 1, 2 → 2; #gamma: 3 only → dropped (1 < 2).
      written([[1, 1, 'first #alpha #beta'], [2, 2, 'second #Alpha #BETA'], [3, 3, 'third #alpha #gamma']]),
    ]);
    const tags = g.nodes.filter((n) => n.kind === 'hashtag');
    expect(tags.map((n) => [n.id, n.label, n.posts])).toEqual([['hashtag:alpha', '#alpha', 3], ['hashtag:beta', '#beta', 2]]);
    expect(g.edges.filter((e) => e.kind === 'co_occurs')).toEqual([{ source: 'hashtag:alpha', target: 'hashtag:beta', kind: 'co_occurs', weight: 2, sentiment: 0, stance: null }]);
    // Each user wrote one post: no mention edge reaches 2, so no user is a node.
    expect(g.nodes.some((n) => n.kind === 'user')).toBe(false);
    expect(g.edges.some((e) => e.kind === 'mentions')).toBe(false);
  });

  it('when a person and a place are written in different cases then each is one node, labelled by the spelling seen first', async () => {
    const g = await graphOf([
      agents([[1, {}], [2, {}]]),
      written([[1, 1, 'Joe Biden visited Paris today'], [2, 2, 'Yesterday joe biden spoke in PARIS']]),
    ]);
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    expect(byId.get('person:joe biden')).toMatchObject({ kind: 'person', label: 'Joe Biden', posts: 2 });
    expect(byId.get('place:paris')).toMatchObject({ kind: 'place', label: 'Paris', posts: 2 });
    expect(g.edges).toContainEqual(expect.objectContaining({ source: 'person:joe biden', target: 'place:paris', kind: 'co_occurs', weight: 2 }));
  });

  it('when one user writes twice against Google and another twice for it then their mention edges carry those signs, and #tag stance comes from the persona', async () => {
    const bad = ['Google is terrible and awful #climate', 'I hate Google, horrible #climate'];
    const good = ['Google is great, I love it', 'Google is wonderful and amazing'];
    const g = await graphOf([
      agents([[1, { stance: { Climate: -0.5 } }], [2, { stance: { climate: 0.9 } }]]),
      written([[1, 1, bad[0]!], [2, 1, bad[1]!], [3, 2, good[0]!], [4, 2, good[1]!]]),
    ]);
    const edge = (user: string, target: string) => g.edges.find((e) => e.kind === 'mentions' && e.source === user && e.target === target);
    expect(mean(bad.map(compound))).toBeLessThan(0);
    expect(mean(good.map(compound))).toBeGreaterThan(0);
    expect(edge('user:1', 'organization:google')).toMatchObject({ weight: 2, stance: null });
    expect(edge('user:1', 'organization:google')!.sentiment).toBeCloseTo(mean(bad.map(compound)), 12);
    expect(edge('user:2', 'organization:google')!.sentiment).toBeCloseTo(mean(good.map(compound)), 12);
    // User 1's persona holds "Climate" at −0.5; the #tag matches it case-folded.
    expect(edge('user:1', 'hashtag:climate')).toMatchObject({ weight: 2, stance: -0.5 });
    expect(edge('user:2', 'hashtag:climate')).toBeUndefined(); // user 2 never wrote #climate
    const google = g.nodes.find((n) => n.id === 'organization:google')!;
    expect(google.posts).toBe(4);
    expect(google.sentiment).toBeCloseTo(mean([...bad, ...good].map(compound)), 12);
    expect(g.nodes.find((n) => n.id === 'user:1')).toMatchObject({ kind: 'user', label: '@u1', posts: 2 });
  });

  it('when two groups of #tags never share a post then Louvain puts each group in one community and the groups in two, the same for any seed', async () => {
    // Group a: users 1–2 write #a1 #a2 #a3 together; group b: users 3–4 write #b1 #b2 #b3.
    const inserts = [
      agents([[1, {}], [2, {}], [3, {}], [4, {}]]),
      written([
        [1, 1, 'x #a1 #a2 #a3'], [2, 1, 'y #a1 #a2'], [3, 2, 'z #a2 #a3 #a1'], [4, 2, 'w #a3 #a1'],
        [5, 3, 'x #b1 #b2 #b3'], [6, 3, 'y #b1 #b2'], [7, 4, 'z #b2 #b3 #b1'], [8, 4, 'w #b3 #b1'],
      ]),
    ];
    for (const seed of [1, 2]) {
      const g = await graphOf(inserts, seed);
      db?.cleanup();
      const community = (id: string): number => g.nodes.find((n) => n.id === id)!.community;
      const a = ['hashtag:a1', 'hashtag:a2', 'hashtag:a3', 'user:1', 'user:2'].map(community);
      const b = ['hashtag:b1', 'hashtag:b2', 'hashtag:b3', 'user:3', 'user:4'].map(community);
      expect(new Set(a).size).toBe(1);
      expect(new Set(b).size).toBe(1);
      expect(a[0]).not.toBe(b[0]);
      // Both groups hold 5 nodes; #a1 (4 posts) ties #b1, and ids break the tie: a's group is 1; #a2 and #a3 tie at 3, by id too.
      expect(g.communities).toEqual([
        { community: 1, nodes: 5, posts: 4 + 3 + 3 + 2 + 2, top_labels: '#a1, #a2, #a3' },
        { community: 2, nodes: 5, posts: 14, top_labels: '#b1, #b2, #b3' },
      ]);
    }
  });

  it('when a side holds more text than the budget then posts are read in hash order until the posts or the characters run out', async () => {
    // Four posts of 10 characters each.
    db = await makeDb([agents([[1, {}]]), written([[1, 1, 'aaaa #tag1'], [2, 1, 'bbbb #tag1'], [3, 1, 'cccc #tag1'], [4, 1, 'dddd #tag1']])]);
    const read = async (posts: number, chars: number): Promise<[number, number]> => {
      const g = await withSimDb(db!.dbPath, (d) => knowledgeGraph(d, 7, 'sim', { posts, chars }));
      return [g.read, g.eligible];
    };
    expect(await read(10, 25)).toEqual([2, 4]); // 10 + 10 ≤ 25 < 30
    expect(await read(3, 1000)).toEqual([3, 4]);
    expect(await read(10, 5)).toEqual([1, 4]); // the first post is read even when longer than the budget
    expect(await read(10, 1000)).toEqual([4, 4]);
  });
});
