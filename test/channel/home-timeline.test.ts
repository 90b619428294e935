import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/channel/channel.js';
import { tempDir } from '../helpers/tmp.js';
import { HOUR, rows, step, T0, user } from './helpers.js';

/**
 * Users 0..5. 0 follows 1, 2 and 5; 1 follows 2; 3 follows 0. Step 0 posts: 1 by user 1, 2 by
 * user 4 (nobody follows 4), 3 by user 5.
 */
async function graph(): Promise<Channel> {
  const ch = await Channel.open(join(tempDir(), 'sim.duckdb'));
  await ch.importDataset(
    {
      users: [0, 1, 2, 3, 4, 5].map(user),
      follows: [
        [0, 1],
        [0, 2],
        [0, 5],
        [1, 2],
        [3, 0],
      ],
      posts: [
        { authorId: 1, text: 'one #tech', label: null },
        { authorId: 4, text: 'four #music', label: null },
        { authorId: 5, text: 'five #tech', label: null },
      ],
    },
    T0,
  );
  return ch;
}

const entries = async (ch: Channel, stepNo: number, window: number, viewer: number, k: number): Promise<[number, number | null, number][]> => {
  const snap = await ch.snapshot(stepNo, window);
  const home = await ch.homeTimeline(snap, stepNo - window);
  return home.of(viewer, k).map((e) => [e.post.postId, e.viaPostId, e.followee]);
};

describe('home timeline', () => {
  it('when followees post and repost then a follower sees their newest posts, reposts shown as the post they share, each post once', async () => {
    const ch = await graph();
    // step 1: user 2 reposts post 2 (by 4, whom 0 does not follow) → post 4; user 1 reposts it too → post 5; user 2 writes post 6
    await step(ch, 1, [
      [2, 'repost', { post_id: 2 }],
      [1, 'repost', { post_id: 2 }],
      [2, 'create_post', { text: 'two #tech' }],
    ]);
    // newest first: 6 (own post of 2), then post 2 through 1's repost 5 (newer than 2's repost 4, which is then a duplicate), 3, 1
    expect(await entries(ch, 2, 6, 0, 10)).toEqual([
      [6, null, 2],
      [2, 5, 1],
      [3, null, 5],
      [1, null, 1],
    ]);
    expect(await entries(ch, 2, 6, 0, 2)).toEqual([
      [6, null, 2],
      [2, 5, 1],
    ]);
    // the window: at step 8 with a window of 6 steps only posts of step 2 or later count; none
    expect(await entries(ch, 8, 6, 0, 10)).toEqual([]);
    await ch.close();
  });

  it('when the follower wrote, liked or reposted a post, or muted its author or the sharer, then it is left out; deleted and flagged posts too', async () => {
    const ch = await graph();
    ch.configure({ reportThreshold: 1 });
    await step(ch, 1, [
      [2, 'repost', { post_id: 3 }], // 4: 2 shares 5's post 3 (0 follows 5 too)
      [1, 'create_post', { text: 'later #tech' }], // 5
      [2, 'create_post', { text: 'by two #music' }], // 6
      [5, 'repost', { post_id: 1 }], // 7
    ]);
    expect((await entries(ch, 2, 6, 0, 10)).map((e) => e[0])).toEqual([1, 6, 5, 3]);
    await step(ch, 2, [
      [0, 'like', { post_id: 5 }],
      [0, 'mute', { user_id: 2 }],
      [3, 'report_post', { post_id: 1 }],
      [1, 'create_post', { text: 'newest #tech' }], // 8
    ]);
    // 1 flagged, 5 liked, 6 by a muted followee, 3 shared by the muted 2 but also written by 5 whom 0 follows
    expect(await entries(ch, 3, 6, 0, 10)).toEqual([
      [8, null, 1],
      [3, null, 5],
    ]);
    // user 5 (own post 3) never sees it; user 1 sees 2's post 6 and what 2 shared
    expect((await entries(ch, 3, 6, 5, 10)).map((e) => e[0])).toEqual([]);
    expect(await entries(ch, 3, 6, 1, 10)).toEqual([
      [6, null, 2],
      [3, 4, 2],
    ]);
    await ch.close();
  });

  it('when a repost inside the window shares a post older than the window then that post is shown with its counts', async () => {
    const ch = await graph();
    await step(ch, 1, [[3, 'like', { post_id: 2 }]]);
    await step(ch, 5, [[2, 'repost', { post_id: 2 }]]); // 4
    const snap = await ch.snapshot(6, 2);
    expect(snap.postsById.has(2)).toBe(false);
    const home = await ch.homeTimeline(snap, 4);
    const [entry] = home.of(0, 5);
    expect(entry?.post).toMatchObject({ postId: 2, authorId: 4, likes: 1, reposts: 1, dislikes: 0 });
    expect(entry?.viaPostId).toBe(4);
    await ch.close();
  });
});

describe('provenance of reposts, quotes and replies', () => {
  it('when an agent reposts what it was shown through a followee’s repost then the repost records that repost and the home source', async () => {
    const ch = await graph();
    await step(ch, 1, [[2, 'repost', { post_id: 2 }]]); // 4: 2 shares post 2
    const b = ch.beginStep(2, T0 + 2 * HOUR);
    ch.setImpressions(
      b,
      new Map([
        [0, { ids: [2, 3], sources: ['home', 'recsys'] as const, via: [4, null] }],
        [1, [3]],
      ]),
    );
    ch.apply(b, 0, { action: 'repost', args: { post_id: 2 } }); // 5: through 4, home
    ch.apply(b, 0, { action: 'quote_post', args: { post_id: 3, text: 'look' } }); // 6: recsys
    ch.apply(b, 1, { action: 'search_posts', args: { query: 'four' } });
    ch.apply(b, 1, { action: 'reply', args: { post_id: 2, text: 'hm' } }); // 7: found by search
    ch.apply(b, 3, { action: 'repost', args: { post_id: 5 } }); // 8: names 0's repost 5 directly, was shown nothing
    ch.apply(b, 3, { action: 'repost', args: { post_id: 1 } }); // 9: never shown
    await ch.commitStep(b, 3);
    expect(await rows(ch, 'SELECT post_id::INTEGER AS id, kind, parent_id::INTEGER AS parent, via_post_id::INTEGER AS via, via_source AS source FROM posts WHERE post_id > 3 ORDER BY id')).toEqual([
      { id: 4, kind: 'repost', parent: 2, via: 2, source: null },
      { id: 5, kind: 'repost', parent: 2, via: 4, source: 'home' },
      { id: 6, kind: 'quote', parent: 3, via: 3, source: 'recsys' },
      { id: 7, kind: 'comment', parent: 2, via: 2, source: 'search' },
      { id: 8, kind: 'repost', parent: 2, via: 5, source: null },
      { id: 9, kind: 'repost', parent: 1, via: 1, source: null },
    ]);
    expect(await rows(ch, "SELECT agent_id AS a, post_id::INTEGER AS p, rank AS r, source, via_post_id::INTEGER AS via FROM impressions WHERE source <> 'search' ORDER BY a, r")).toEqual([
      { a: 0, p: 2, r: 0, source: 'home', via: 4 },
      { a: 0, p: 3, r: 1, source: 'recsys', via: null },
      { a: 1, p: 3, r: 0, source: 'recsys', via: null },
    ]);
    await ch.close();
  });

  it('when a file of an older schema is opened then the new columns are added empty and the run goes on', async () => {
    const old = await graph();
    await old.db.exec('ALTER TABLE posts DROP COLUMN via_source');
    await old.db.exec('ALTER TABLE posts DROP COLUMN via_post_id');
    await old.db.exec('ALTER TABLE impressions DROP COLUMN via_post_id');
    await old.close();
    const ch = await Channel.open(old.db.path);
    await step(ch, 1, [[0, 'repost', { post_id: 1 }]]);
    expect(await rows(ch, 'SELECT via_post_id::INTEGER AS via FROM posts WHERE post_id = 4')).toEqual([{ via: 1 }]);
    expect(await rows(ch, 'SELECT count(*)::INTEGER AS n FROM posts WHERE via_post_id IS NULL')).toEqual([{ n: 3 }]);
    await ch.close();
  });
});
