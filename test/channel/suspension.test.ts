import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/channel/channel.js';
import { tempDir } from '../helpers/tmp.js';
import { channelWithPosts, HOUR, step, T0 } from './helpers.js';

type Act = [number, string, Record<string, unknown>];

/**
 * Users 0..3; user 2 wrote post 2 ('second #music') and, at step 1, post 3 ('#music apple'),
 * user 1 posts 1 ('hello #tech') and 4 ('apple #music'); user 3 reposted post 3 (post 5) and
 * user 0 listed users 1 and 2 and liked post 3.
 */
const SETUP: Act[] = [
  [2, 'create_post', { text: '#music apple' }],
  [1, 'create_post', { text: 'apple #music' }],
  [3, 'repost', { post_id: 3 }],
  [0, 'like', { post_id: 3 }],
  [0, 'create_list', { name: 'l' }],
  [0, 'add_to_list', { list_id: 1, user_id: 1 }],
  [0, 'add_to_list', { list_id: 1, user_id: 2 }],
];

/** What user 0 can find: search, users, trends (most liked and hashtags), timelines, its list. */
async function lookAround(ch: Channel, n: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [k, trends] of [['hashtags', { algorithm: 'hashtags', window: 24 }], ['most_liked', { algorithm: 'most_liked', window: 24 }]] as const) {
    ch.configure({ trends });
    out.push(k, ...(await step(ch, n++, [[0, 'trends', {}]])));
  }
  out.push(
    ...(await step(ch, n, [
      [0, 'search_posts', { query: 'apple' }],
      [0, 'search_users', { query: 'u2' }],
      [0, 'timeline', { user_id: 2 }],
      [0, 'timeline', { user_id: 3 }],
      [0, 'read_list', { list_id: 1 }],
    ])),
  );
  return out;
}

async function suspend(ch: Channel, n: number, userId: number): Promise<{ ok: boolean; error: string | null }> {
  const b = ch.beginStep(n, T0 + n * HOUR);
  const out = ch.intervene(b, { action: 'suspend_account', userId }, JSON.stringify({ action: 'suspend_account', user_id: userId }));
  await ch.commitStep(b, 0);
  return out;
}

describe('suspend_account', () => {
  for (const search of ['bm25', 'substring'] as const) {
    it(`when an account is suspended then its posts leave ${search} search, trends, timelines, lists and reposts, also after a reopen`, async () => {
      const path = join(tempDir(), 'sim.duckdb');
      const ch = await channelWithPosts(path);
      ch.configure({ search });
      await step(ch, 1, SETUP);
      expect(await lookAround(ch, 2)).toEqual([
        'hashtags', { ok: true, result: { hashtags: [{ tag: '#music', posts: 3 }, { tag: '#tech', posts: 1 }] } },
        'most_liked', { ok: true, result: { posts: [3] } },
        { ok: true, result: { posts: [4, 3] } },
        { ok: true, result: { users: [2] } },
        { ok: true, result: { user_id: 2, post_ids: [3, 2], pinned: null } },
        { ok: true, result: { user_id: 3, post_ids: [5], pinned: null } },
        { ok: true, result: { list_id: 1, name: 'l', post_ids: [4, 3, 2, 1] } },
      ]);

      expect(await suspend(ch, 5, 2)).toEqual({ ok: true, error: null });
      const after = [
        'hashtags', { ok: true, result: { hashtags: [{ tag: '#music', posts: 1 }, { tag: '#tech', posts: 1 }] } },
        'most_liked', { ok: true, result: { posts: [] } },
        { ok: true, result: { posts: [4] } },
        { ok: true, result: { users: [] } },
        { ok: false, error: 'account 2 is suspended' },
        { ok: true, result: { user_id: 3, post_ids: [], pinned: null } },
        { ok: true, result: { list_id: 1, name: 'l', post_ids: [4, 1] } },
      ];
      expect(await lookAround(ch, 6)).toEqual(after);
      expect(await suspend(ch, 9, 2)).toEqual({ ok: false, error: 'account 2 is already suspended' });
      await ch.close();

      const again = await Channel.open(path);
      again.configure({ search });
      expect(await lookAround(again, 10)).toEqual(after);
      await again.close();
    });
  }
});
