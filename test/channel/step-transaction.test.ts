/**
 * A step opened before its actions apply (Channel.openStep): its recommender lists go into
 * DuckDB while the actions apply, and the step then commits the same rows as one committed in
 * a row; given up (abandonStep), nothing of it stays.
 */
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../src/channel/channel.js';
import { channelWithPosts, HOUR, rows, T0 } from './helpers.js';

/** Step 0 with feeds for every user, impressions for two (one mixed with the home timeline), a like and a post. */
async function runStep(channel: Channel, early: 'open' | 'inline' | 'abandon'): Promise<void> {
  const b = channel.beginStep(0, T0);
  channel.setFeeds(b, new Map([0, 1, 2, 3].map((u) => [u, [2, 1]])));
  channel.setImpressions(
    b,
    new Map<number, readonly number[] | { ids: number[]; sources: ('home' | 'recsys')[]; via: (number | null)[] }>([
      [0, { ids: [1, 2], sources: ['home', 'recsys'], via: [null, null] }],
      [3, [2, 1]],
    ]),
  );
  if (early !== 'inline') await channel.openStep(b);
  channel.apply(b, 0, { action: 'like', args: { post_id: 2 } });
  channel.apply(b, 3, { action: 'create_post', args: { text: 'later #tech' } });
  if (early === 'abandon') return channel.abandonStep();
  await channel.commitStep(b, 2);
}

const TABLES = ['rec', 'impressions', 'likes', 'posts', 'trace', 'steps'];

async function contents(channel: Channel): Promise<unknown[][]> {
  return Promise.all(TABLES.map((t) => rows(channel, `SELECT * FROM ${t} ORDER BY ALL`)));
}

describe('a step opened before its actions apply', () => {
  it('when it commits then its tables equal those of a step committed in a row', async () => {
    const inline = await channelWithPosts();
    await runStep(inline, 'inline');
    const open = await channelWithPosts();
    await runStep(open, 'open');
    const [rec, impressions] = await contents(open);
    expect(rec).toHaveLength(8);
    expect(impressions).toHaveLength(4);
    expect(await contents(open)).toEqual(await contents(inline));
    await inline.close();
    await open.close();
  });

  it('when it is abandoned then none of its rows stay and the next step commits as usual', async () => {
    const ch = await channelWithPosts();
    const before = await contents(ch);
    await runStep(ch, 'abandon');
    expect(await contents(ch)).toEqual(before);
    const b = ch.beginStep(0, T0 + HOUR);
    await ch.openStep(b);
    await ch.commitStep(b, 0);
    expect(await rows(ch, 'SELECT step FROM steps')).toEqual([{ step: 0 }]);
    await ch.close();
  });
});
