import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/channel/channel.js';
import { tempDir } from '../helpers/tmp.js';
import { channelWithPosts, expectRejected, rows, step } from './helpers.js';

describe('moderation and curation actions', () => {
  it('when users dislike and undo a dislike then dislikes holds the net change per step', async () => {
    const ch = await channelWithPosts();
    expect(await step(ch, 0, [
      [0, 'dislike', { post_id: 1 }],
      [3, 'dislike', { post_id: 1 }],
      [3, 'undo_dislike', { post_id: 1 }],
    ])).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(await rows(ch, 'SELECT user_id AS u, post_id::INTEGER AS p, created_step AS s FROM dislikes')).toEqual([{ u: 0, p: 1, s: 0 }]);
    await step(ch, 1, [[0, 'undo_dislike', { post_id: 1 }]]);
    expect(await rows(ch, 'SELECT count(*)::INTEGER AS n FROM dislikes')).toEqual([{ n: 0 }]);
    await ch.close();
  });

  it('when a post reaches report_threshold distinct reporters then it is flagged that step and leaves the feed candidates', async () => {
    const ch = await channelWithPosts();
    ch.configure({ reportThreshold: 2 });
    expect(await step(ch, 0, [[0, 'report_post', { post_id: 1, reason: 'spam' }]])).toEqual([{ ok: true, result: { reports: 1, flagged: false } }]);
    expect((await ch.snapshot(1, 6)).posts.map((p) => p.postId)).toEqual([1, 2]);
    expect(await step(ch, 1, [[2, 'report_post', { post_id: 1 }], [3, 'report_post', { post_id: 1 }]])).toEqual([
      { ok: true, result: { reports: 2, flagged: true } },
      { ok: true, result: { reports: 3, flagged: true } },
    ]);
    expect(await rows(ch, 'SELECT user_id AS u, post_id::INTEGER AS p, reason, created_step AS s FROM reports ORDER BY s, u')).toEqual([
      { u: 0, p: 1, reason: 'spam', s: 0 },
      { u: 2, p: 1, reason: null, s: 1 },
      { u: 3, p: 1, reason: null, s: 1 },
    ]);
    expect(await rows(ch, 'SELECT flagged_step AS f FROM posts WHERE post_id = 1')).toEqual([{ f: 1 }]);
    expect((await ch.snapshot(2, 6)).posts.map((p) => p.postId)).toEqual([2]);
    // a flagged post can still be acted on: the flag only takes it out of recommendations
    expect(await step(ch, 2, [[0, 'like', { post_id: 1 }]])).toEqual([{ ok: true }]);
    await ch.close();
  });

  it('when the author of the replied-to post hides a reply then hidden_step is set and the reply stays', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [[2, 'reply', { post_id: 1, text: 'rude' }]]);
    expect(await step(ch, 1, [[1, 'hide_reply', { post_id: 3 }]])).toEqual([{ ok: true }]);
    expect(await rows(ch, 'SELECT post_id::INTEGER AS id, hidden_step AS h, deleted_step AS d FROM posts WHERE post_id = 3')).toEqual([{ id: 3, h: 1, d: null }]);
    await ch.close();
  });

  it('when a user bookmarks posts then list_bookmarks returns them newest first, without unbookmarked or deleted ones', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [
      [0, 'bookmark', { post_id: 2 }],
      [0, 'bookmark', { post_id: 1 }],
      [3, 'create_post', { text: 'later' }],
    ]);
    await step(ch, 1, [[0, 'bookmark', { post_id: 3 }]]);
    expect(await step(ch, 2, [[0, 'list_bookmarks', {}]])).toEqual([{ ok: true, result: { post_ids: [3, 2, 1] } }]);
    await step(ch, 3, [
      [0, 'unbookmark', { post_id: 2 }],
      [3, 'delete_post', { post_id: 3 }],
    ]);
    expect(await step(ch, 4, [[0, 'list_bookmarks', {}], [1, 'list_bookmarks', {}]])).toEqual([
      { ok: true, result: { post_ids: [1] } },
      { ok: true, result: { post_ids: [] } },
    ]);
    expect(await rows(ch, 'SELECT user_id AS u, post_id::INTEGER AS p, created_step AS s FROM bookmarks ORDER BY p')).toEqual([
      { u: 0, p: 1, s: 0 },
      { u: 0, p: 3, s: 1 },
    ]);
    await ch.close();
  });

  it('when a bookmark is removed and made again in one step then its row and step are kept, in DuckDB and in the mirror', async () => {
    const dir = tempDir();
    const ch = await channelWithPosts(join(dir, 'sim.duckdb'));
    await step(ch, 0, [[0, 'bookmark', { post_id: 1 }]]);
    await step(ch, 1, [[0, 'bookmark', { post_id: 2 }]]);
    await step(ch, 2, [[0, 'unbookmark', { post_id: 1 }], [0, 'bookmark', { post_id: 1 }]]);
    expect(await rows(ch, 'SELECT post_id::INTEGER AS p, created_step AS s FROM bookmarks ORDER BY p')).toEqual([{ p: 1, s: 0 }, { p: 2, s: 1 }]);
    expect(await step(ch, 3, [[0, 'list_bookmarks', {}]])).toEqual([{ ok: true, result: { post_ids: [2, 1] } }]);
    await ch.close();
    const again = await Channel.open(join(dir, 'sim.duckdb'));
    expect(await step(again, 4, [[0, 'list_bookmarks', {}]])).toEqual([{ ok: true, result: { post_ids: [2, 1] } }]);
    await again.close();
  });

  it('when users mute and unmute then mutes holds the net change', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [
      [0, 'mute', { user_id: 2 }],
      [0, 'mute', { user_id: 3 }],
    ]);
    await step(ch, 1, [[0, 'unmute', { user_id: 3 }]]);
    expect(await rows(ch, 'SELECT user_id AS u, muted_id AS m, created_step AS s FROM mutes')).toEqual([{ u: 0, m: 2, s: 0 }]);
    await ch.close();
  });

  it('when a channel is reopened then dislikes, reports, mutes, pins, flags and hidden replies are enforced as before', async () => {
    const dir = tempDir();
    const ch = await channelWithPosts(join(dir, 'sim.duckdb'));
    ch.configure({ reportThreshold: 1 });
    await step(ch, 0, [
      [0, 'dislike', { post_id: 1 }],
      [0, 'report_post', { post_id: 2 }],
      [0, 'mute', { user_id: 3 }],
      [1, 'pin_post', { post_id: 1 }],
      [2, 'reply', { post_id: 1, text: 'r' }],
      [1, 'hide_reply', { post_id: 3 }],
      [3, 'create_post', { text: 'gone' }],
      [3, 'delete_post', { post_id: 4 }],
    ]);
    await ch.close();
    const again = await Channel.open(join(dir, 'sim.duckdb'));
    expect(await step(again, 1, [
      [0, 'dislike', { post_id: 1 }],
      [0, 'report_post', { post_id: 2 }],
      [0, 'mute', { user_id: 3 }],
      [1, 'pin_post', { post_id: 1 }],
      [1, 'hide_reply', { post_id: 3 }],
      [0, 'like', { post_id: 4 }],
    ])).toEqual([
      { ok: false, error: 'already disliked post 1' },
      { ok: false, error: 'already reported post 2' },
      { ok: false, error: 'already muting user 3' },
      { ok: false, error: 'post 1 is already pinned' },
      { ok: false, error: 'reply 3 is already hidden' },
      { ok: false, error: 'post 4 was deleted' },
    ]);
    expect((await again.snapshot(2, 6)).posts.map((p) => p.postId)).toEqual([1]);
    await again.close();
  });

  const invalid: [string, [number, string, Record<string, unknown>][], number, string, Record<string, unknown>, string][] = [
    ['disliking twice', [[0, 'dislike', { post_id: 1 }]], 0, 'dislike', { post_id: 1 }, 'already disliked post 1'],
    ['disliking a missing post', [], 0, 'dislike', { post_id: 50 }, 'post 50 does not exist'],
    ['undoing a dislike never made', [], 0, 'undo_dislike', { post_id: 1 }, 'post 1 is not disliked by you'],
    ['reporting twice', [[0, 'report_post', { post_id: 1 }]], 0, 'report_post', { post_id: 1 }, 'already reported post 1'],
    ['reporting your own post', [], 1, 'report_post', { post_id: 1 }, 'cannot report your own post'],
    ['a report reason over 500 characters', [], 0, 'report_post', { post_id: 1, reason: 'x'.repeat(501) }, 'invalid arguments for report_post: reason must NOT have more than 500 characters'],
    ['hiding a post that is not a reply', [], 1, 'hide_reply', { post_id: 1 }, 'post 1 is not a reply'],
    ['hiding a reply to someone else’s post', [[2, 'reply', { post_id: 1, text: 'r' }]], 2, 'hide_reply', { post_id: 3 }, 'only the author of post 1 can hide replies to it'],
    ['hiding a reply twice', [[2, 'reply', { post_id: 1, text: 'r' }], [1, 'hide_reply', { post_id: 3 }]], 1, 'hide_reply', { post_id: 3 }, 'reply 3 is already hidden'],
    ['bookmarking twice', [[0, 'bookmark', { post_id: 1 }]], 0, 'bookmark', { post_id: 1 }, 'already bookmarked post 1'],
    ['unbookmarking a post never bookmarked', [], 0, 'unbookmark', { post_id: 1 }, 'post 1 is not bookmarked by you'],
    ['muting yourself', [], 0, 'mute', { user_id: 0 }, 'cannot mute yourself'],
    ['muting twice', [[0, 'mute', { user_id: 2 }]], 0, 'mute', { user_id: 2 }, 'already muting user 2'],
    ['muting a missing user', [], 0, 'mute', { user_id: 77 }, 'user 77 does not exist'],
    ['unmuting a user not muted', [], 0, 'unmute', { user_id: 2 }, 'not muting user 2'],
  ];

  it.each(invalid)('when %s then the error is traced and no table changes', async (_what, setup, actor, action, args, error) => {
    await expectRejected(setup, actor, action, args, error);
  });
});
