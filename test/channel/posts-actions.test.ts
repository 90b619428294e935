import { describe, expect, it } from 'vitest';
import { ACTION_NAMES } from '../../src/channel/actions/registry.js';
import { channelWithPosts, expectRejected, rows, step } from './helpers.js';

const POSTS = 'SELECT post_id::INTEGER AS id, author_id AS a, kind, parent_id::INTEGER AS parent, root_id::INTEGER AS root, deleted_step AS d, hidden_step AS h FROM posts ORDER BY post_id';

describe('post actions: reply, quote, delete, pin, timeline', () => {
  it('when agents reply, reply to a reply and quote then the posts carry kind, parent and thread root', async () => {
    const ch = await channelWithPosts();
    const out = await step(ch, 0, [
      [2, 'reply', { post_id: 1, text: 'agreed #tech' }],
      [3, 'reply', { post_id: 3, text: 'me too' }],
      [3, 'quote_post', { post_id: 1, text: 'look at this' }],
      [0, 'repost', { post_id: 2 }],
      [3, 'reply', { post_id: 6, text: 'reply to a repost goes to the original' }],
    ]);
    expect(out).toEqual([
      { ok: true, result: { post_id: 3, parent_id: 1 } },
      { ok: true, result: { post_id: 4, parent_id: 3 } },
      { ok: true, result: { post_id: 5, parent_id: 1 } },
      { ok: true, result: { post_id: 6, original_id: 2 } },
      { ok: true, result: { post_id: 7, parent_id: 2 } },
    ]);
    expect(await rows(ch, POSTS)).toEqual([
      { id: 1, a: 1, kind: 'original', parent: null, root: 1, d: null, h: null },
      { id: 2, a: 2, kind: 'original', parent: null, root: 2, d: null, h: null },
      { id: 3, a: 2, kind: 'comment', parent: 1, root: 1, d: null, h: null },
      { id: 4, a: 3, kind: 'comment', parent: 3, root: 1, d: null, h: null },
      { id: 5, a: 3, kind: 'quote', parent: 1, root: 5, d: null, h: null },
      { id: 6, a: 0, kind: 'repost', parent: 2, root: null, d: null, h: null },
      { id: 7, a: 3, kind: 'comment', parent: 2, root: 2, d: null, h: null },
    ]);
    expect(await rows(ch, "SELECT post_id::INTEGER AS id FROM posts WHERE root_id = 1 AND kind = 'comment' ORDER BY 1")).toEqual([{ id: 3 }, { id: 4 }]);
    await ch.close();
  });

  it('when the author deletes a post then it is marked with the step, its likes and reposts stay, and acting on it fails', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [
      [0, 'like', { post_id: 1 }],
      [2, 'repost', { post_id: 1 }],
    ]);
    expect(await step(ch, 1, [[1, 'delete_post', { post_id: 1 }]])).toEqual([{ ok: true }]);
    expect(await rows(ch, 'SELECT deleted_step AS d FROM posts WHERE post_id = 1')).toEqual([{ d: 1 }]);
    expect(await rows(ch, 'SELECT count(*)::INTEGER AS n FROM likes WHERE post_id = 1')).toEqual([{ n: 1 }]);
    expect(await rows(ch, 'SELECT count(*)::INTEGER AS n FROM reposts WHERE post_id = 1')).toEqual([{ n: 1 }]);
    const after = await step(ch, 2, [
      [3, 'like', { post_id: 1 }],
      [3, 'repost', { post_id: 1 }],
      [3, 'reply', { post_id: 1, text: 'x' }],
      [3, 'quote_post', { post_id: 1, text: 'x' }],
      [3, 'bookmark', { post_id: 1 }],
      [3, 'dislike', { post_id: 1 }],
      [3, 'report_post', { post_id: 1 }],
      [1, 'pin_post', { post_id: 1 }],
      [1, 'delete_post', { post_id: 1 }],
    ]);
    for (const r of after) expect(r).toEqual({ ok: false, error: 'post 1 was deleted' });
    await ch.close();
  });

  it('when a post is created and deleted in one step then its row is written already marked', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [
      [3, 'create_post', { text: 'oops' }],
      [3, 'delete_post', { post_id: 3 }],
    ]);
    expect(await rows(ch, 'SELECT post_id::INTEGER AS id, deleted_step AS d FROM posts WHERE post_id = 3')).toEqual([{ id: 3, d: 0 }]);
    await ch.close();
  });

  it('when a user pins a post and then another then only the latest pin is kept, and deleting it unpins', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [
      [1, 'create_post', { text: 'another' }],
      [1, 'pin_post', { post_id: 1 }],
    ]);
    expect(await rows(ch, 'SELECT user_id AS u, post_id::INTEGER AS p, created_step AS s FROM pins')).toEqual([{ u: 1, p: 1, s: 0 }]);
    expect(await step(ch, 1, [[1, 'pin_post', { post_id: 3 }]])).toEqual([{ ok: true, result: { post_id: 3, replaced: 1 } }]);
    expect(await rows(ch, 'SELECT user_id AS u, post_id::INTEGER AS p, created_step AS s FROM pins')).toEqual([{ u: 1, p: 3, s: 1 }]);
    await step(ch, 2, [[1, 'delete_post', { post_id: 3 }]]);
    expect(await rows(ch, 'SELECT count(*)::INTEGER AS n FROM pins')).toEqual([{ n: 0 }]);
    await ch.close();
  });

  it('when a timeline is read then it lists live posts newest first, without hidden replies or muted authors', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [
      [2, 'create_post', { text: 'a' }], // 3
      [2, 'reply', { post_id: 1, text: 'b' }], // 4
      [2, 'create_post', { text: 'c' }], // 5
      [2, 'repost', { post_id: 1 }], // 6
      [2, 'pin_post', { post_id: 3 }],
    ]);
    await step(ch, 1, [
      [2, 'delete_post', { post_id: 5 }],
      [1, 'hide_reply', { post_id: 4 }],
      [3, 'mute', { user_id: 1 }],
      [0, 'mute', { user_id: 2 }],
    ]);
    const out = await step(ch, 2, [
      [1, 'timeline', { user_id: 2 }],
      [1, 'timeline', { user_id: 2, limit: 2 }],
      [3, 'timeline', { user_id: 2 }],
      [0, 'timeline', { user_id: 2 }],
      [2, 'timeline', {}],
      [1, 'timeline', { user_id: 99 }],
    ]);
    expect(out).toEqual([
      { ok: true, result: { user_id: 2, post_ids: [6, 3, 2], pinned: 3 } },
      { ok: true, result: { user_id: 2, post_ids: [6, 3], pinned: 3 } },
      // user 3 muted user 1: user 2's repost of post 1 is left out
      { ok: true, result: { user_id: 2, post_ids: [3, 2], pinned: 3 } },
      { ok: true, result: { user_id: 2, post_ids: [], pinned: null } },
      { ok: true, result: { user_id: 2, post_ids: [6, 3, 2], pinned: 3 } },
      { ok: false, error: 'user 99 does not exist' },
    ]);
    await ch.close();
  });

  it('the registry offers every new action', () => {
    for (const a of ['delete_post', 'dislike', 'undo_dislike', 'report_post', 'quote_post', 'reply', 'hide_reply', 'bookmark', 'unbookmark', 'list_bookmarks', 'pin_post', 'mute', 'unmute', 'timeline']) {
      expect(ACTION_NAMES).toContain(a);
    }
  });

  const invalid: [string, [number, string, Record<string, unknown>][], number, string, Record<string, unknown>, string][] = [
    ['deleting another user’s post', [], 0, 'delete_post', { post_id: 1 }, 'only the author can delete post 1'],
    ['deleting a missing post', [], 1, 'delete_post', { post_id: 42 }, 'post 42 does not exist'],
    ['deleting a repost', [[0, 'repost', { post_id: 1 }]], 0, 'delete_post', { post_id: 3 }, 'post 3 is a repost and cannot be deleted'],
    ['deleting twice', [[1, 'delete_post', { post_id: 1 }]], 1, 'delete_post', { post_id: 1 }, 'post 1 was deleted'],
    ['replying with blank text', [], 0, 'reply', { post_id: 1, text: '  ' }, 'a post needs some text'],
    ['replying to a missing post', [], 0, 'reply', { post_id: 9, text: 'hi' }, 'post 9 does not exist'],
    ['quoting without text', [], 0, 'quote_post', { post_id: 1 }, 'invalid arguments for quote_post: missing required argument "text"'],
    ['quoting a deleted post', [[2, 'delete_post', { post_id: 2 }]], 0, 'quote_post', { post_id: 2, text: 'x' }, 'post 2 was deleted'],
    ['pinning another user’s post', [], 0, 'pin_post', { post_id: 1 }, 'only the author can pin post 1'],
    ['pinning the pinned post', [[1, 'pin_post', { post_id: 1 }]], 1, 'pin_post', { post_id: 1 }, 'post 1 is already pinned'],
    ['pinning a repost', [[0, 'repost', { post_id: 1 }]], 0, 'pin_post', { post_id: 3 }, 'post 3 is a repost and cannot be pinned'],
    ['a timeline limit over 100', [], 0, 'timeline', { limit: 500 }, 'invalid arguments for timeline: limit must be <= 100'],
  ];

  it.each(invalid)('when %s then the error is traced and no table changes', async (_what, setup, actor, action, args, error) => {
    await expectRejected(setup, actor, action, args, error);
  });
});
