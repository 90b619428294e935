import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/channel/channel.js';
import { hashtags } from '../../src/channel/search-index.js';
import { Rng } from '../../src/common/rng.js';
import { tempDir } from '../helpers/tmp.js';
import { HOUR, T0, user } from './helpers.js';

type Algorithm = 'most_liked' | 'velocity' | 'hashtags';
type Row = { id: number; author: number; kind: string; step: number; text: string; gone: boolean };

/** The committed tables, from which the naive trends are computed. */
interface Tables {
  posts: Row[];
  likes: { p: number; s: number }[];
  reposts: { p: number; s: number }[];
  mutes: { u: number; m: number }[];
}

async function tables(ch: Channel): Promise<Tables> {
  return {
    posts: await ch.db.query<Row>(
      `SELECT post_id::DOUBLE AS id, author_id AS author, kind, created_step AS step, text,
              deleted_step IS NOT NULL OR flagged_step IS NOT NULL OR hidden_step IS NOT NULL AS gone
       FROM posts`,
    ),
    likes: await ch.db.query('SELECT post_id::DOUBLE AS p, created_step AS s FROM likes'),
    reposts: await ch.db.query('SELECT post_id::DOUBLE AS p, created_step AS s FROM reposts'),
    mutes: await ch.db.query('SELECT user_id AS u, muted_id AS m FROM mutes'),
  };
}

/** Trends by their definition: every post of the tables walked, everything sorted. */
function naiveTrends(t: Tables, reader: number, step: number, algorithm: Algorithm, window: number, limit: number): unknown {
  const from = step - window + 1;
  const muted = new Set(t.mutes.filter((r) => r.u === reader).map((r) => r.m));
  const keep = (p: Row): boolean => !p.gone && p.kind !== 'repost' && !muted.has(p.author);
  const candidates = t.posts.filter((p) => (p.kind === 'original' || p.kind === 'quote') && p.step >= from && keep(p));
  const rank = (scores: Map<number, number>): number[] =>
    [...scores]
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || b[0] - a[0])
      .slice(0, limit)
      .map(([id]) => id);
  if (algorithm === 'most_liked') {
    return { posts: rank(new Map(candidates.map((p) => [p.id, t.likes.filter((l) => l.p === p.id).length]))) };
  }
  if (algorithm === 'velocity') {
    const growth = new Map<number, number>();
    for (const r of [...t.likes, ...t.reposts]) {
      const by = r.s >= from && r.s <= step ? 1 : r.s >= from - window && r.s < from ? -1 : 0;
      growth.set(r.p, (growth.get(r.p) ?? 0) + by);
    }
    const byId = new Map(t.posts.map((p) => [p.id, p]));
    return { posts: rank(new Map([...growth].filter(([id]) => keep(byId.get(id)!)))) };
  }
  const tags = new Map<string, number>();
  for (const p of candidates) for (const tag of hashtags(p.text)) tags.set(tag, (tags.get(tag) ?? 0) + 1);
  const top = [...tags].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
  return { hashtags: top.map(([tag, posts]) => ({ tag, posts })) };
}

const TAGS = ['#tech', '#Tech', '#music', '#food', '#a_b', '#x1', '#fußball', '#news'];
const USERS = 12;

/** A random action of the workload: posts, replies, quotes, likes, unlikes, reposts, removals, mutes. */
function randomAction(ch: Channel, rng: Rng): [number, string, Record<string, unknown>] {
  const posts = [...ch.state.posts.keys()];
  const post = posts[rng.int(posts.length)]!;
  const actor = rng.int(USERS);
  const text = (): string => `${rng.pick(['so', 'hot', 'new'])} ${Array.from({ length: rng.int(3) }, () => rng.pick(TAGS)).join(' ')} ${rng.pick(TAGS)}`;
  const pick = rng.next();
  if (pick < 0.15) return [actor, 'create_post', { text: text() }];
  if (pick < 0.22) return [actor, 'reply', { post_id: post, text: text() }];
  if (pick < 0.27) return [actor, 'quote_post', { post_id: post, text: text() }];
  if (pick < 0.55) return [actor, 'like', { post_id: post }];
  if (pick < 0.67) return [actor, 'unlike', { post_id: post }];
  if (pick < 0.77) return [actor, 'repost', { post_id: post }];
  if (pick < 0.8) return [ch.state.posts.get(post)!.author, 'delete_post', { post_id: post }];
  if (pick < 0.85) return [actor, 'report_post', { post_id: post }];
  if (pick < 0.9) {
    const parent = ch.state.posts.get(post)!.parentId;
    return [parent === null ? actor : ch.state.posts.get(parent)!.author, 'hide_reply', { post_id: post }];
  }
  if (pick < 0.95) return [actor, 'mute', { user_id: rng.int(USERS) }];
  return [actor, 'unmute', { user_id: rng.int(USERS) }];
}

/** Asks every algorithm at several windows and limits for a few readers, against the naive trends. */
async function compare(ch: Channel, step: number, rng: Rng): Promise<number> {
  const t = await tables(ch);
  const batch = ch.beginStep(step, T0 + step * HOUR);
  let asked = 0;
  for (const algorithm of ['most_liked', 'velocity', 'hashtags'] as const) {
    for (const window of [1, 2, 3, 5, 40]) {
      const limit = rng.pick([1, 3, 10]);
      ch.configure({ trends: { algorithm, window, limit } });
      for (const reader of [0, rng.int(USERS)]) {
        const got = ch.apply(batch, reader, { action: 'trends', args: {} });
        expect(got, `${algorithm} window ${window} limit ${limit} reader ${reader} at step ${step}`).toEqual({ ok: true, result: naiveTrends(t, reader, step, algorithm, window, limit) });
        asked++;
      }
    }
  }
  await ch.commitStep(batch, 0);
  return asked;
}

describe('trends from the engagement index', () => {
  it('when a seeded random workload runs then every trend equals the naive walk over the tables, also after a reopen', async () => {
    const path = join(tempDir(), 'sim.duckdb');
    const ch = await Channel.open(path);
    const rng = new Rng(31337);
    await ch.importDataset(
      { users: Array.from({ length: USERS }, (_, u) => user(u)), follows: [], posts: Array.from({ length: 20 }, (_, i) => ({ authorId: i % USERS, text: `seed ${rng.pick(TAGS)}`, label: null })) },
      T0,
    );
    ch.configure({ reportThreshold: 2 });
    let asked = 0;
    let step = 1;
    for (let round = 0; round < 12; round++, step += 2) {
      asked += await compare(ch, step, rng);
      const batch = ch.beginStep(step + 1, T0 + (step + 1) * HOUR);
      for (let k = 0; k < 80; k++) {
        const [actor, action, args] = randomAction(ch, rng);
        ch.apply(batch, actor, { action, args });
        // Now and then an unlike-then-like of an older like: the row keeps its step.
        const likes = [...(ch.state.likes.get(actor) ?? [])];
        if (likes.length > 0 && rng.chance(0.1)) {
          const post_id = rng.pick(likes);
          ch.apply(batch, actor, { action: 'unlike', args: { post_id } });
          ch.apply(batch, actor, { action: 'like', args: { post_id } });
        }
      }
      await ch.commitStep(batch, USERS);
    }
    asked += await compare(ch, step, rng);
    const liked = (await ch.db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM likes'))[0]!.n;
    const gone = (await tables(ch)).posts.filter((p) => p.gone).length;
    await ch.close();
    const again = await Channel.open(path);
    again.configure({ reportThreshold: 2 });
    asked += await compare(again, step + 2, rng);
    await again.close();
    expect(asked).toBe(14 * 30);
    // The workload did exercise what the index must follow.
    expect(liked).toBeGreaterThan(50);
    expect(gone).toBeGreaterThan(10);
  });
});
