import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/channel/channel.js';
import { tempDir } from '../helpers/tmp.js';
import { channelWithPosts, expectRejected, step } from './helpers.js';

type Act = [number, string, Record<string, unknown>];

/** Posts 3..6 at step 0 on top of posts 1 ('hello #tech') and 2 ('second #music'); all six are 3 tokens long. */
const FRUIT: Act[] = [
  [1, 'create_post', { text: 'apple banana cherry' }],
  [2, 'create_post', { text: 'Apple banana grape' }],
  [3, 'create_post', { text: 'apple kiwi plum' }],
  [1, 'create_post', { text: 'kiwi kiwi plum' }],
];

async function ask(ch: Channel, n: number, actor: number, action: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const [out] = await step(ch, n, [[actor, action, args]]);
  return out;
}

describe('search_posts and search_users', () => {
  it('when bm25 ranks posts then a rarer term outranks a common one and a term twice outranks once at equal length', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, FRUIT);
    expect(await ask(ch, 1, 0, 'search_posts', { query: 'grape kiwi' })).toEqual({ ok: true, result: { posts: [4, 6, 5] } });
    expect(await ask(ch, 2, 0, 'search_posts', { query: 'APPLE', limit: 2 })).toEqual({ ok: true, result: { posts: [5, 4] } });
    expect(await ask(ch, 3, 0, 'search_posts', { query: '#tech' })).toEqual({ ok: true, result: { posts: [1] } });
    expect(await ask(ch, 4, 0, 'search_posts', { query: 'durian' })).toEqual({ ok: true, result: { posts: [] } });
    await ch.close();
  });

  it('when search is substring then matching posts come newest first, case-insensitively', async () => {
    const ch = await channelWithPosts();
    ch.configure({ search: 'substring' });
    await step(ch, 0, FRUIT);
    expect(await ask(ch, 1, 0, 'search_posts', { query: 'APPLE' })).toEqual({ ok: true, result: { posts: [5, 4, 3] } });
    expect(await ask(ch, 2, 0, 'search_posts', { query: 'kiwi', limit: 1 })).toEqual({ ok: true, result: { posts: [6] } });
    expect(await ask(ch, 3, 0, 'search_posts', { query: 'e #t' })).toEqual({ ok: true, result: { posts: [] } });
    expect(await ask(ch, 4, 0, 'search_posts', { query: 'o #t' })).toEqual({ ok: true, result: { posts: [1] } });
    await ch.close();
  });

  for (const algorithm of ['bm25', 'substring'] as const) {
    it(`when posts are deleted, flagged, hidden or by a muted author then ${algorithm} search leaves them out, also after a reopen`, async () => {
      const path = join(tempDir(), 'sim.duckdb');
      const ch = await channelWithPosts(path);
      ch.configure({ search: algorithm, reportThreshold: 1 });
      await step(ch, 0, [...FRUIT, [2, 'create_post', { text: 'apple pie' }], [3, 'reply', { post_id: 1, text: 'apple reply' }]]);
      await step(ch, 1, [[1, 'hide_reply', { post_id: 8 }], [2, 'delete_post', { post_id: 4 }], [0, 'report_post', { post_id: 3 }], [0, 'mute', { user_id: 3 }]]);
      expect(await ask(ch, 2, 0, 'search_posts', { query: 'apple' })).toEqual({ ok: true, result: { posts: [7] } });
      expect(await ask(ch, 3, 1, 'search_posts', { query: 'apple' })).toEqual({ ok: true, result: { posts: [7, 5] } });
      await ch.close();
      const again = await Channel.open(path);
      again.configure({ search: algorithm });
      expect(await ask(again, 4, 0, 'search_posts', { query: 'apple' })).toEqual({ ok: true, result: { posts: [7] } });
      expect(await ask(again, 5, 1, 'search_posts', { query: 'apple' })).toEqual({ ok: true, result: { posts: [7, 5] } });
      await again.close();
    });
  }

  it('when users are searched then bm25 matches whole words of username, name and bio and substring matches parts, without muted users', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [
      [10, 'sign_up', { username: 'chef_ana', name: 'Ana', bio: 'I cook pasta and more pasta' }],
      [11, 'sign_up', { username: 'pasta_fan', name: 'Bo', bio: 'eats' }],
      [12, 'sign_up', { username: 'cy', name: 'Cy Pasta', bio: 'hello' }],
    ]);
    expect(await ask(ch, 1, 0, 'search_users', { query: 'pasta' })).toEqual({ ok: true, result: { users: [10, 12] } });
    expect(await ask(ch, 2, 0, 'search_users', { query: 'user 2' })).toEqual({ ok: true, result: { users: [2, 3, 1, 0] } });
    ch.configure({ search: 'substring' });
    expect(await ask(ch, 3, 0, 'search_users', { query: 'PASTA' })).toEqual({ ok: true, result: { users: [12, 11, 10] } });
    await step(ch, 4, [[0, 'mute', { user_id: 11 }]]);
    expect(await ask(ch, 5, 0, 'search_users', { query: 'pasta', limit: 1 })).toEqual({ ok: true, result: { users: [12] } });
    expect(await ask(ch, 6, 0, 'search_users', { query: 'pasta' })).toEqual({ ok: true, result: { users: [12, 10] } });
    // The users' index is built at the first search: an account that signs up later is indexed as it arrives
    // (13: 'pasta' 3 times in 4 tokens, above 10's 2 in 8 and 12's 1 in 4, as at step 1).
    ch.configure({ search: 'bm25' });
    await step(ch, 7, [[13, 'sign_up', { username: 'late', name: 'Pasta Pasta', bio: 'pasta' }]]);
    expect(await ask(ch, 8, 0, 'search_users', { query: 'pasta' })).toEqual({ ok: true, result: { users: [13, 10, 12] } });
    await ch.close();
  });

  it('when arguments break the schema then the action is rejected with the exact error', async () => {
    await expectRejected([], 0, 'search_posts', {}, 'invalid arguments for search_posts: missing required argument "query"');
    await expectRejected([], 0, 'search_posts', { query: '' }, 'invalid arguments for search_posts: query must NOT have fewer than 1 characters');
    await expectRejected([], 0, 'search_users', { query: 'a', limit: 51 }, 'invalid arguments for search_users: limit must be <= 50');
    await expectRejected([], 0, 'trends', { window: 3 }, 'invalid arguments for trends: unknown argument "window"');
  });
});

/**
 * Step 0: posts 1 '#tech' (user 1), 2 '#music' (user 2). Step 1: post 3 '#tech again', likes 1,1,2.
 * Step 2: post 4 '#music #tech', likes 3,3,3,4. Step 3: repost of 1, like of 2, and an unlike-then-like
 * of user 0's step-1 like of post 1 (its row keeps step 1).
 */
async function scripted(path = join(tempDir(), 'sim.duckdb')): Promise<Channel> {
  const ch = await channelWithPosts(path);
  await step(ch, 1, [[3, 'create_post', { text: '#tech again' }], [0, 'like', { post_id: 1 }], [2, 'like', { post_id: 1 }], [0, 'like', { post_id: 2 }]]);
  await step(ch, 2, [[1, 'create_post', { text: 'news #Music #tech' }], [0, 'like', { post_id: 3 }], [1, 'like', { post_id: 3 }], [2, 'like', { post_id: 3 }], [3, 'like', { post_id: 4 }]]);
  await step(ch, 3, [[3, 'repost', { post_id: 1 }], [3, 'like', { post_id: 2 }], [0, 'unlike', { post_id: 1 }], [0, 'like', { post_id: 1 }]]);
  return ch;
}

describe('trends', () => {
  it('when trends is most_liked then posts created in the window come by likes, ties to the newer post', async () => {
    const ch = await scripted();
    ch.configure({ trends: { algorithm: 'most_liked', window: 6 } });
    // likes: post 1 two, post 2 two (steps 1 and 3), post 3 three, post 4 one
    expect(await ask(ch, 4, 0, 'trends')).toEqual({ ok: true, result: { posts: [3, 2, 1, 4] } });
    ch.configure({ trends: { window: 5 } });
    expect(await ask(ch, 5, 0, 'trends')).toEqual({ ok: true, result: { posts: [3, 4] } });
    ch.configure({ trends: { limit: 1 } });
    expect(await ask(ch, 6, 0, 'trends')).toEqual({ ok: true, result: { posts: [4] } });
    await ch.close();
  });

  it('when trends is velocity then posts come by growth of likes + reposts over the window before', async () => {
    const ch = await scripted();
    ch.configure({ trends: { algorithm: 'velocity', window: 1 } });
    // step 3 against step 2: post 1 +1 (repost), post 2 +1 (like); posts 3 and 4 fell
    expect(await ask(ch, 3, 0, 'trends')).toEqual({ ok: true, result: { posts: [2, 1] } });
    ch.configure({ trends: { window: 2 } });
    // steps 2..3 {1: 1, 2: 1, 3: 3, 4: 1} against steps 0..1 {1: 2, 2: 1}
    expect(await ask(ch, 3, 0, 'trends')).toEqual({ ok: true, result: { posts: [3, 4] } });
    ch.configure({ trends: { window: 3 } });
    // steps 2..4 {1: 1, 2: 1, 3: 3, 4: 1} against steps -1..1 {1: 2, 2: 1}
    expect(await ask(ch, 4, 0, 'trends')).toEqual({ ok: true, result: { posts: [3, 4] } });
    await step(ch, 5, [[0, 'mute', { user_id: 3 }]]);
    ch.configure({ trends: { window: 4 } });
    // steps 2..5 against steps -2..1: post 3 is by muted user 3
    expect(await ask(ch, 5, 0, 'trends')).toEqual({ ok: true, result: { posts: [4] } });
    await ch.close();
  });

  it('when trends is hashtags (the default) then tags of live posts in the window come by count, then name', async () => {
    const ch = await scripted();
    expect(await ask(ch, 4, 0, 'trends')).toEqual({ ok: true, result: { hashtags: [{ tag: '#tech', posts: 3 }, { tag: '#music', posts: 2 }] } });
    ch.configure({ trends: { window: 3 } });
    expect(await ask(ch, 4, 0, 'trends')).toEqual({ ok: true, result: { hashtags: [{ tag: '#music', posts: 1 }, { tag: '#tech', posts: 1 }] } });
    await step(ch, 5, [[3, 'delete_post', { post_id: 3 }]]);
    ch.configure({ trends: { window: 6 } });
    expect(await ask(ch, 5, 0, 'trends')).toEqual({ ok: true, result: { hashtags: [{ tag: '#music', posts: 2 }, { tag: '#tech', posts: 2 }] } });
    await ch.close();
  });

  for (const algorithm of ['most_liked', 'velocity', 'hashtags'] as const) {
    it(`when a run is reopened then ${algorithm} trends continue as if it had not stopped`, async () => {
      const path = join(tempDir(), 'sim.duckdb');
      const live = await scripted();
      await (await scripted(path)).close();
      const again = await Channel.open(path);
      const results: unknown[][] = [];
      for (const ch of [live, again]) {
        const out: unknown[] = [];
        for (const window of [1, 2, 3, 6]) {
          ch.configure({ trends: { algorithm, window } });
          out.push(await ask(ch, 3 + window, 0, 'trends'));
        }
        results.push(out);
        await ch.close();
      }
      expect(results[1]).toEqual(results[0]);
    });
  }
});
