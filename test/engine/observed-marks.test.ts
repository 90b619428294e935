import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/channel/channel.js';
import { LazyMarks } from '../../src/engine/observed-marks.js';
import { tempDir } from '../helpers/tmp.js';
import { step, T0, user } from '../channel/helpers.js';

describe('observed marks', () => {
  it('when a policy reads an agent’s marks then they are its dislikes, bookmarks, mutes, reports and live posts other than reposts', async () => {
    const ch = await Channel.open(join(tempDir(), 'sim.duckdb'));
    await ch.importDataset({ users: [0, 1, 2].map(user), follows: [], posts: [{ authorId: 1, text: 'one #tech', label: null }, { authorId: 2, text: 'two #tech', label: null }] }, T0);
    await step(ch, 1, [
      [0, 'dislike', { post_id: 1 }],
      [0, 'bookmark', { post_id: 2 }],
      [0, 'mute', { user_id: 2 }],
      [0, 'report_post', { post_id: 1, reason: 'spam' }],
      [0, 'create_post', { text: 'mine #tech' }],
      [0, 'repost', { post_id: 1 }],
      [0, 'create_post', { text: 'gone #tech' }],
    ]);
    await step(ch, 2, [[0, 'delete_post', { post_id: 5 }]]);
    const marks = new LazyMarks(ch.state, 0);
    expect([...marks.disliked]).toEqual([1]);
    expect([...marks.bookmarked.keys()]).toEqual([2]);
    expect([...marks.muted]).toEqual([2]);
    expect([...marks.reported]).toEqual([1]);
    expect(marks.ownPosts).toEqual([3]);
    expect(new LazyMarks(ch.state, 1).ownPosts).toEqual([1]);
    ch.close();
  });
});
