import { describe, expect, it } from 'vitest';
import { channelWithPosts, HOUR, rows, step, T0 } from './helpers.js';

const IMPRESSIONS = 'SELECT step, agent_id AS a, post_id::INTEGER AS p, rank AS r, source FROM impressions ORDER BY step, source, a, r';

describe('impressions from search, trends, timelines and lists', () => {
  it('when an agent searches, reads a timeline and reads a list then each returned post is an impression with its source and rank', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [
      [3, 'create_post', { text: 'more #tech news' }], // 3
      [0, 'create_list', { name: 'l' }],
      [0, 'add_to_list', { list_id: 1, user_id: 2 }],
    ]);
    ch.configure({ search: 'substring' });
    await step(ch, 1, [
      [0, 'search_posts', { query: '#tech' }],
      [0, 'timeline', { user_id: 3 }],
      [1, 'read_list', { list_id: 1 }],
    ]);
    expect(await rows(ch, IMPRESSIONS)).toEqual([
      { step: 1, a: 1, p: 2, r: 0, source: 'list' },
      { step: 1, a: 0, p: 3, r: 0, source: 'search' },
      { step: 1, a: 0, p: 1, r: 1, source: 'search' },
      { step: 1, a: 0, p: 3, r: 0, source: 'timeline' },
    ]);
    await ch.close();
  });

  it('when trends return posts then they are impressions of source trend; hashtag trends show no posts and record none', async () => {
    const ch = await channelWithPosts();
    ch.configure({ trends: { algorithm: 'most_liked' } });
    await step(ch, 0, [[0, 'like', { post_id: 2 }], [3, 'like', { post_id: 2 }], [0, 'like', { post_id: 1 }]]);
    expect(await step(ch, 1, [[3, 'trends', {}]])).toEqual([{ ok: true, result: { posts: [2, 1] } }]);
    ch.configure({ trends: { algorithm: 'velocity' } });
    expect(await step(ch, 2, [[3, 'trends', {}]])).toEqual([{ ok: true, result: { posts: [2, 1] } }]);
    ch.configure({ trends: { algorithm: 'hashtags' } });
    await step(ch, 3, [[3, 'trends', {}]]);
    expect(await rows(ch, IMPRESSIONS)).toEqual([
      { step: 1, a: 3, p: 2, r: 0, source: 'trend' },
      { step: 1, a: 3, p: 1, r: 1, source: 'trend' },
      { step: 2, a: 3, p: 2, r: 0, source: 'trend' },
      { step: 2, a: 3, p: 1, r: 1, source: 'trend' },
    ]);
    await ch.close();
  });

  it("when the recommender's impressions are set in the same step then its rows stay as before, beside the reads'", async () => {
    const ch = await channelWithPosts();
    const b = ch.beginStep(0, T0 + HOUR);
    ch.setImpressions(b, new Map([[0, [2, 1]], [1, [1]]]));
    ch.apply(b, 0, { action: 'search_posts', args: { query: 'second' } });
    await ch.commitStep(b, 2);
    expect(await rows(ch, IMPRESSIONS)).toEqual([
      { step: 0, a: 0, p: 2, r: 0, source: 'recsys' },
      { step: 0, a: 0, p: 1, r: 1, source: 'recsys' },
      { step: 0, a: 1, p: 1, r: 0, source: 'recsys' },
      { step: 0, a: 0, p: 2, r: 0, source: 'search' },
    ]);
    await ch.close();
  });

  it('when a read fails or finds nothing then no impression is recorded', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [
      [0, 'search_posts', { query: 'nothing like it' }],
      [0, 'timeline', { user_id: 99 }],
      [0, 'read_list', { list_id: 1 }],
      [0, 'create_list', { name: 'empty' }],
      [0, 'read_list', { list_id: 1 }],
    ]);
    expect(await rows(ch, IMPRESSIONS)).toEqual([]);
    await ch.close();
  });
});
