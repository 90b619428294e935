/**
 * The snapshot's engagement counts come from the mirror's engagement index, not from DuckDB.
 * Their definition is the tables': a candidate's likes, reposts and dislikes are the rows of
 * `likes`, `reposts` and `dislikes` naming it. A seeded random workload of every action that
 * adds or removes such rows (herding votes included), with a memory window that evicts posts
 * and a reopen that rebuilds the index, is checked against that count at every step.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/channel/channel.js';
import { platformAccount, treatPost } from '../../src/channel/herding.js';
import { Rng } from '../../src/common/rng.js';
import { tempDir } from '../helpers/tmp.js';
import { HOUR, T0, user } from './helpers.js';

const USERS = 10;
/** Steps of posts the mirror keeps: short, so posts leave it during the workload. */
const MEMORY_WINDOW = 4;
/** The snapshot's candidate window: within the memory window, as a run's settings require. */
const FEED_WINDOW = 3;

type Counts = Record<number, [likes: number, reposts: number, dislikes: number]>;

/** Each candidate's counts by the tables' definition: rows naming it, counted in SQL. */
async function countedInTables(ch: Channel, ids: readonly number[]): Promise<Counts> {
  const out: Counts = {};
  for (const id of ids) out[id] = [0, 0, 0];
  if (ids.length === 0) return out;
  const list = ids.join(',');
  for (const [i, table] of (['likes', 'reposts', 'dislikes'] as const).entries()) {
    const rows = await ch.db.query<{ p: number; n: number }>(`SELECT post_id::DOUBLE AS p, count(*)::INTEGER AS n FROM ${table} WHERE post_id IN (${list}) GROUP BY post_id`);
    for (const r of rows) out[r.p]![i] = r.n;
  }
  return out;
}

async function snapshotCounts(ch: Channel, step: number): Promise<{ ids: number[]; counts: Counts }> {
  const snap = await ch.snapshot(step, FEED_WINDOW);
  const counts: Counts = {};
  for (const p of snap.posts) counts[p.postId] = [p.likes, p.reposts, p.dislikes];
  return { ids: snap.posts.map((p) => p.postId), counts };
}

/** A random action that adds or removes likes, reposts or dislikes, or posts, quotes and deletes. */
function randomAction(ch: Channel, rng: Rng): [number, string, Record<string, unknown>] {
  const posts = [...ch.state.posts.keys()];
  const post = posts[rng.int(posts.length)]!;
  const actor = rng.int(USERS);
  const pick = rng.next();
  if (pick < 0.12) return [actor, 'create_post', { text: `post ${rng.int(1000)}` }];
  if (pick < 0.17) return [actor, 'quote_post', { post_id: post, text: 'quoted' }];
  if (pick < 0.37) return [actor, 'like', { post_id: post }];
  if (pick < 0.47) return [actor, 'unlike', { post_id: post }];
  if (pick < 0.62) return [actor, 'dislike', { post_id: post }];
  if (pick < 0.7) return [actor, 'undo_dislike', { post_id: post }];
  if (pick < 0.88) return [actor, 'repost', { post_id: post }];
  return [ch.state.posts.get(post)!.author, 'delete_post', { post_id: post }];
}

describe('the snapshot’s engagement counts', () => {
  it('when a seeded workload likes, unlikes, dislikes, reposts, votes and deletes then every candidate’s counts equal its rows in the tables, step by step and after a reopen', async () => {
    const path = join(tempDir(), 'sim.duckdb');
    let ch = await Channel.open(path, { memoryWindow: MEMORY_WINDOW });
    const rng = new Rng(4242);
    await ch.importDataset({ users: Array.from({ length: USERS }, (_, u) => user(u)), follows: [], posts: Array.from({ length: 8 }, (_, i) => ({ authorId: i % USERS, text: `seed ${i}`, label: null })) }, T0);
    let compared = 0;
    let nonZero = { likes: 0, reposts: 0, dislikes: 0 };
    for (let step = 1; step <= 14; step++) {
      if (step === 8) {
        // A reopen rebuilds the index from the tables of the window.
        await ch.close();
        ch = await Channel.open(path, { memoryWindow: MEMORY_WINDOW });
      }
      const { ids, counts } = await snapshotCounts(ch, step);
      expect(counts, `counts at step ${step}`).toEqual(await countedInTables(ch, ids));
      compared += ids.length;
      for (const [l, r, d] of Object.values(counts)) nonZero = { likes: nonZero.likes + Math.sign(l), reposts: nonZero.reposts + Math.sign(r), dislikes: nonZero.dislikes + Math.sign(d) };

      const batch = ch.beginStep(step, T0 + step * HOUR);
      // Actions name posts the mirror may have let go (older than the window): read back first.
      const planned = Array.from({ length: 60 }, () => randomAction(ch, rng));
      await ch.visitPosts(planned.flatMap(([, , args]) => (typeof args.post_id === 'number' ? [args.post_id] : [])));
      for (const [actor, action, args] of planned) ch.apply(batch, actor, { action, args });
      // Herding votes from the platform account on a few of this window's posts.
      const voter = platformAccount(ch.state, batch);
      for (const id of ids.slice(0, 3)) treatPost(ch.state, batch, voter, id, rng.chance(0.5) ? 'up' : 'down');
      await ch.commitStep(batch, USERS);
    }
    const [all] = await ch.db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM posts');
    const kept = ch.state.posts.size;
    await ch.close();
    expect(kept).toBeLessThan(all!.n / 2);
    // The workload made candidates with each kind of count, and posts did leave the mirror.
    expect(compared).toBeGreaterThan(100);
    expect(nonZero.likes).toBeGreaterThan(20);
    expect(nonZero.reposts).toBeGreaterThan(20);
    expect(nonZero.dislikes).toBeGreaterThan(20);
  });
});
