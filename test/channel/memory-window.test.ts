/**
 * The memory window (channel/window.ts): with a window of 2 steps the mirror drops older
 * posts after each commit, and a step's actions on them find them again through one query.
 * Every action on an old post must come out as it does with every post in memory.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/channel/channel.js';
import { referencedPosts } from '../../src/channel/window.js';
import { tempDir } from '../helpers/tmp.js';
import { HOUR, rows, T0, tables, withPosts } from './helpers.js';

type Act = [number, string, Record<string, unknown>];

async function open(memoryWindow?: number, path = join(tempDir(), 'sim.duckdb')): Promise<Channel> {
  return Channel.open(path, memoryWindow === undefined ? {} : { memoryWindow });
}

/** Posts 1 (user 1, "hello #tech") and 2 (user 2, "second #music") at step 0, as channelWithPosts. */
const seeded = withPosts;

/** One step as the engine runs it: the old posts the actions name are visited, then applied, then committed. */
async function step(channel: Channel, n: number, acts: Act[]): Promise<unknown[]> {
  const b = channel.beginStep(n, T0 + n * HOUR);
  await channel.visitPosts(referencedPosts(channel.state, acts.map(([actor, action, args]) => [actor, [{ action, args }]] as const)));
  const out = acts.map(([actor, action, args]) => channel.apply(b, actor, { action, args }));
  await channel.commitStep(b, acts.length);
  return out;
}

const EARLY: Act[][] = [
  // step 0: post 3 replies to 2, post 4 reposts 1.
  [
    [3, 'like', { post_id: 1 }],
    [1, 'reply', { post_id: 2, text: 're' }],
    [2, 'repost', { post_id: 1 }],
    [0, 'bookmark', { post_id: 2 }],
    [0, 'dislike', { post_id: 2 }],
  ],
  [[0, 'create_post', { text: 'one' }]],
  [[0, 'create_post', { text: 'two' }]],
  [[0, 'create_post', { text: 'three #tech' }]],
];

/** Step 4: every kind of action on posts 1–4, which a 2-step window has dropped by then. */
const ON_OLD: Act[] = [
  [3, 'like', { post_id: 1 }],
  [3, 'unlike', { post_id: 1 }],
  [0, 'like', { post_id: 1 }],
  [2, 'repost', { post_id: 1 }],
  [0, 'repost', { post_id: 4 }],
  [3, 'reply', { post_id: 3, text: 'deep' }],
  [3, 'quote_post', { post_id: 4, text: 'look' }],
  [0, 'undo_dislike', { post_id: 2 }],
  [0, 'list_bookmarks', {}],
  [2, 'hide_reply', { post_id: 3 }],
  [2, 'delete_post', { post_id: 2 }],
  [3, 'like', { post_id: 2 }],
  [0, 'like', { post_id: 999 }],
];
const LATER: Act[][] = [[[0, 'like', { post_id: 1 }], [1, 'reply', { post_id: 8, text: 'again' }], [3, 'repost', { post_id: 1 }]]];

const EXPECTED_ON_OLD = [
  { ok: false, error: 'already liked post 1' },
  { ok: true },
  { ok: true },
  { ok: false, error: 'already reposted post 1' },
  { ok: true, result: { post_id: 8, original_id: 1 } },
  { ok: true, result: { post_id: 9, parent_id: 3 } },
  { ok: true, result: { post_id: 10, parent_id: 1 } },
  { ok: true },
  { ok: true, result: { post_ids: [2] } },
  { ok: true },
  { ok: true },
  { ok: false, error: 'post 2 was deleted' },
  { ok: false, error: 'post 999 does not exist' },
];

async function everything(channel: Channel): Promise<unknown> {
  return [await tables(channel), await rows(channel, 'SELECT step, agent_id, action, args, ok, result, error FROM trace ORDER BY seq')];
}

describe('a memory window of 2 steps', () => {
  it('when actions name posts the window dropped then they come out as with every post in memory', async () => {
    const all = await seeded(await open());
    const windowed = await seeded(await open(2));
    for (const [n, acts] of EARLY.entries()) expect(await step(windowed, n, acts)).toEqual(await step(all, n, acts));
    // After step 3 the window is steps 2 and 3: posts 1–5 (steps 0 and 1) are gone, likes on them too.
    expect([...windowed.state.posts.keys()].sort((a, b) => a - b)).toEqual([6, 7]);
    expect(windowed.state.likesOf(3).size).toBe(0);
    expect(windowed.state.dislikesOf(0).size).toBe(0);
    expect(windowed.state.repostsOf(2).size).toBe(0);
    expect(all.state.likesOf(3)).toEqual(new Set([1]));

    const got = await step(windowed, 4, ON_OLD);
    expect(got).toEqual(await step(all, 4, ON_OLD));
    expect(got).toEqual(EXPECTED_ON_OLD);
    for (const [i, acts] of LATER.entries()) expect(await step(windowed, 5 + i, acts)).toEqual(await step(all, 5 + i, acts));
    expect(await everything(windowed)).toEqual(await everything(all));

    // Worked out by hand: post 1's likes are user 0's (step 4) and that's all; its reposts by 2 (step 0), 0 (step 4), 3 (step 5).
    expect(await rows(windowed, 'SELECT user_id AS u, created_step AS s FROM likes WHERE post_id = 1 ORDER BY ALL')).toEqual([{ u: 0, s: 4 }]);
    expect(await rows(windowed, 'SELECT user_id AS u FROM reposts WHERE post_id = 1 ORDER BY ALL')).toEqual([{ u: 0 }, { u: 2 }, { u: 3 }]);
    expect(await rows(windowed, 'SELECT post_id::INTEGER AS id, parent_id::INTEGER AS parent, root_id::INTEGER AS root FROM posts WHERE post_id IN (9, 10) ORDER BY 1')).toEqual([
      { id: 9, parent: 3, root: 2 },
      { id: 10, parent: 1, root: 10 },
    ]);
    expect(await rows(windowed, 'SELECT post_id::INTEGER AS id FROM posts WHERE deleted_step = 4 OR hidden_step = 4 ORDER BY 1')).toEqual([{ id: 2 }, { id: 3 }]);
    // The mirror holds the window only: steps 4 and 5 after step 5's commit.
    expect([...windowed.state.posts.keys()].sort((a, b) => a - b)).toEqual([8, 9, 10, 11, 12]);
    expect(windowed.state.likesOf(0).size).toBe(0);
    await all.close();
    await windowed.close();
  });

  it('when search, trends and timelines are read then they cover the window only', async () => {
    const windowed = await seeded(await open(2));
    for (const [n, acts] of EARLY.entries()) await step(windowed, n, acts);
    const [search, timeline] = await step(windowed, 4, [
      [0, 'search_posts', { query: 'hello tech' }],
      [0, 'timeline', { user_id: 1 }],
    ]);
    // "hello #tech" (post 1) is older than the window; "three #tech" (post 7, step 3) is in it.
    expect(search).toEqual({ ok: true, result: { posts: [7] } });
    expect(timeline).toEqual({ ok: true, result: { user_id: 1, post_ids: [], pinned: null } });
    await windowed.close();
  });

  it('when a windowed run is reopened mid-run then the mirror is the window, and it goes on as the uninterrupted one', async () => {
    const straight = await seeded(await open(2));
    const path = join(tempDir(), 'sim.duckdb');
    let resumed = await seeded(await open(2, path));
    for (const [n, acts] of EARLY.entries()) {
      await step(straight, n, acts);
      await step(resumed, n, acts);
    }
    const mirror = (c: Channel): unknown => ({
      posts: [...c.state.posts.entries()].sort((a, b) => a[0] - b[0]),
      windowStart: c.state.windowStart,
      nextPostId: c.state.nextPostId,
      likes: [...c.state.likes].map(([u, s]) => [u, [...s].sort()]).sort(),
      reposts: [...c.state.reposts].map(([u, s]) => [u, [...s].sort()]).sort(),
      byAuthor: [0, 1, 2, 3].map((u) => c.state.postIdsOf(u)),
      tags: [...c.state.engagement.tagCounts(0)].sort(),
      searchDocs: c.state.postIndex.size,
    });
    await resumed.close();
    resumed = await Channel.open(path, { memoryWindow: 2 });
    expect(mirror(resumed)).toEqual(mirror(straight));
    for (const [i, acts] of [ON_OLD, ...LATER].entries()) expect(await step(resumed, 4 + i, acts)).toEqual(await step(straight, 4 + i, acts));
    expect(await everything(resumed)).toEqual(await everything(straight));
    expect(mirror(resumed)).toEqual(mirror(straight));
    await straight.close();
    await resumed.close();
  });

  it('when many steps go by then the mirror holds no more than the window’s posts and marks', async () => {
    const windowed = await seeded(await open(2));
    for (let n = 0; n < 30; n++) {
      // Every step: three posts, and likes on the newest posts and on post 1, which left long ago.
      const next = windowed.state.nextPostId;
      await step(windowed, n, [
        [0, 'create_post', { text: `a ${n} #tag${n % 3}` }],
        [1, 'create_post', { text: `b ${n}` }],
        [2, 'create_post', { text: `c ${n}` }],
        [3, 'like', { post_id: next - 1 }],
        [n % 2 === 0 ? 0 : 1, n % 4 < 2 ? 'like' : 'unlike', { post_id: 1 }],
      ]);
      // Two steps of three posts; the two imported ones count at step 0 while it is in the window.
      const bound = 2 * 3 + (n < 2 ? 2 : 0);
      expect(windowed.state.posts.size).toBeLessThanOrEqual(bound);
      expect(windowed.state.postIndex.size).toBeLessThanOrEqual(bound);
      let marks = 0;
      for (const s of windowed.state.likes.values()) marks += s.size;
      // User 3's likes of the window's posts; post 1's (a step-0 post) only while step 0 is in the window.
      expect(marks).toBeLessThanOrEqual(n < 2 ? 4 : 2);
    }
    // Post 1's likes follow the pattern: user 0 likes at steps 0, 4, … 28 and unlikes at 2, 6, … 26;
    // user 1 likes at 1, 5, … 29 and unlikes at 3, 7, … 27: both like it at the end, from their last like.
    expect(await rows(windowed, 'SELECT user_id AS u, created_step AS s FROM likes WHERE post_id = 1 ORDER BY ALL')).toEqual([{ u: 0, s: 28 }, { u: 1, s: 29 }]);
    expect(await rows(windowed, "SELECT count(*)::INTEGER AS n FROM trace WHERE NOT ok")).toEqual([{ n: 0 }]);
    await windowed.close();
  });
});
