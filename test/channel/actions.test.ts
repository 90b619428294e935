import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { UserRow } from '../../src/channel/batch.js';
import { Channel } from '../../src/channel/channel.js';
import { actionCatalog, ACTION_NAMES } from '../../src/channel/actions/registry.js';
import { tempDir } from '../helpers/tmp.js';

const T0 = Date.parse('2024-06-17T00:00:00Z');

function user(id: number): UserRow {
  return { userId: id, username: `u${id}`, name: `User ${id}`, bio: '', cohort: 'c', model: 'stat', kind: 'agent', persona: '{}' };
}

/** A channel with users 0..2, user 0 following 1, and one post by user 1 (post id 1). */
async function smallChannel(): Promise<Channel> {
  const channel = await Channel.open(join(tempDir(), 'sim.duckdb'));
  await channel.importDataset({ users: [user(0), user(1), user(2)], follows: [[0, 1]], posts: [{ authorId: 1, text: 'hello #tech', label: null }] }, T0);
  return channel;
}

async function rows(channel: Channel, sql: string): Promise<Record<string, unknown>[]> {
  return channel.db.query(sql);
}

describe('channel actions', () => {
  it('when the dataset is imported then users, follows and posts are in DuckDB and not traced', async () => {
    const ch = await smallChannel();
    expect(await rows(ch, 'SELECT count(*)::INTEGER AS n FROM users')).toEqual([{ n: 3 }]);
    expect(await rows(ch, 'SELECT follower_id AS a, followee_id AS b FROM follows')).toEqual([{ a: 0, b: 1 }]);
    expect(await rows(ch, "SELECT post_id::INTEGER AS id, author_id AS a, kind, created_step AS s, strftime(created_at, '%H:%M') AS t FROM posts")).toEqual([
      { id: 1, a: 1, kind: 'original', s: 0, t: '00:00' },
    ]);
    expect(await rows(ch, 'SELECT count(*)::INTEGER AS n FROM trace')).toEqual([{ n: 0 }]);
    await ch.close();
  });

  it('when agents like, repost, post and follow then each effect lands in its table, traced in order', async () => {
    const ch = await smallChannel();
    const b = ch.beginStep(0, T0);
    expect(ch.apply(b, 2, { action: 'like', args: { post_id: 1 } })).toEqual({ ok: true });
    expect(ch.apply(b, 2, { action: 'repost', args: { post_id: 1 } })).toEqual({ ok: true, result: { post_id: 2, original_id: 1 } });
    expect(ch.apply(b, 0, { action: 'create_post', args: { text: 'my first post' } })).toEqual({ ok: true, result: { post_id: 3 } });
    expect(ch.apply(b, 2, { action: 'follow', args: { user_id: 0 } })).toEqual({ ok: true });
    expect(ch.apply(b, 1, { action: 'do_nothing', args: {} }).ok).toBe(true);
    await ch.commitStep(b, 3);

    expect(await rows(ch, 'SELECT user_id AS u, post_id::INTEGER AS p, created_step AS s FROM likes')).toEqual([{ u: 2, p: 1, s: 0 }]);
    expect(await rows(ch, 'SELECT user_id AS u, post_id::INTEGER AS p, repost_id::INTEGER AS r FROM reposts')).toEqual([{ u: 2, p: 1, r: 2 }]);
    expect(await rows(ch, 'SELECT post_id::INTEGER AS id, author_id AS a, kind, parent_id::INTEGER AS parent, text FROM posts ORDER BY post_id')).toEqual([
      { id: 1, a: 1, kind: 'original', parent: null, text: 'hello #tech' },
      { id: 2, a: 2, kind: 'repost', parent: 1, text: '' },
      { id: 3, a: 0, kind: 'original', parent: null, text: 'my first post' },
    ]);
    expect(await rows(ch, 'SELECT follower_id AS a, followee_id AS b FROM follows ORDER BY ALL')).toEqual([
      { a: 0, b: 1 },
      { a: 2, b: 0 },
    ]);
    expect(await rows(ch, 'SELECT seq, agent_id AS a, action, ok FROM trace ORDER BY seq')).toEqual([
      { seq: 0, a: 2, action: 'like', ok: true },
      { seq: 1, a: 2, action: 'repost', ok: true },
      { seq: 2, a: 0, action: 'create_post', ok: true },
      { seq: 3, a: 2, action: 'follow', ok: true },
      { seq: 4, a: 1, action: 'do_nothing', ok: true },
    ]);
    expect(await rows(ch, 'SELECT step, active_agents AS a, actions, failed_actions AS f FROM steps')).toEqual([{ step: 0, a: 3, actions: 5, f: 0 }]);
    await ch.close();
  });

  it('when an agent unlikes and unfollows in a later step then the rows are deleted', async () => {
    const ch = await smallChannel();
    const b0 = ch.beginStep(0, T0);
    ch.apply(b0, 2, { action: 'like', args: { post_id: 1 } });
    await ch.commitStep(b0, 1);
    const b1 = ch.beginStep(1, T0 + 3_600_000);
    expect(ch.apply(b1, 2, { action: 'unlike', args: { post_id: 1 } })).toEqual({ ok: true });
    expect(ch.apply(b1, 0, { action: 'unfollow', args: { user_id: 1 } })).toEqual({ ok: true });
    await ch.commitStep(b1, 2);
    expect(await rows(ch, 'SELECT count(*)::INTEGER AS n FROM likes')).toEqual([{ n: 0 }]);
    expect(await rows(ch, 'SELECT count(*)::INTEGER AS n FROM follows')).toEqual([{ n: 0 }]);
    await ch.close();
  });

  it('when like then unlike happen in one step then nothing is written but both are traced', async () => {
    const ch = await smallChannel();
    const b = ch.beginStep(0, T0);
    ch.apply(b, 2, { action: 'like', args: { post_id: 1 } });
    ch.apply(b, 2, { action: 'unlike', args: { post_id: 1 } });
    ch.apply(b, 2, { action: 'like', args: { post_id: 1 } });
    await ch.commitStep(b, 1);
    expect(await rows(ch, 'SELECT user_id AS u FROM likes')).toEqual([{ u: 2 }]);
    expect(await rows(ch, 'SELECT count(*)::INTEGER AS n FROM trace WHERE ok')).toEqual([{ n: 3 }]);
    await ch.close();
  });

  const invalid: [string, number, string, Record<string, unknown>, string][] = [
    ['liking a missing post', 2, 'like', { post_id: 99 }, 'post 99 does not exist'],
    ['liking twice', 0, 'like', { post_id: 1 }, 'already liked post 1'],
    ['unliking a post never liked', 2, 'unlike', { post_id: 1 }, 'post 1 is not liked by you'],
    ['reposting twice', 0, 'repost', { post_id: 1 }, 'already reposted post 1'],
    ['reposting a missing post', 0, 'repost', { post_id: 7 }, 'post 7 does not exist'],
    ['following oneself', 0, 'follow', { user_id: 0 }, 'cannot follow yourself'],
    ['following twice', 0, 'follow', { user_id: 1 }, 'already following user 1'],
    ['following a missing user', 0, 'follow', { user_id: 42 }, 'user 42 does not exist'],
    ['unfollowing a non-followee', 2, 'unfollow', { user_id: 1 }, 'not following user 1'],
    ['an empty post', 0, 'create_post', { text: '   ' }, 'a post needs some text'],
    ['a missing argument', 0, 'like', {}, 'invalid arguments for like: missing required argument "post_id"'],
    ['a wrong argument type', 0, 'like', { post_id: 'one' }, 'invalid arguments for like: post_id must be integer'],
    ['an unknown argument', 0, 'do_nothing', { why: 'bored' }, 'invalid arguments for do_nothing: unknown argument "why"'],
    ['an unknown action', 0, 'teleport', {}, 'unknown action "teleport"'],
    ['an actor that never signed up', 9, 'like', { post_id: 1 }, 'agent 9 has not signed up'],
    ['signing up twice', 0, 'sign_up', { username: 'again' }, 'user 0 has already signed up'],
    ['a taken username', 5, 'sign_up', { username: 'u1' }, 'username "u1" is taken'],
  ];

  it.each(invalid)('when %s then the error is traced and nothing else changes', async (_what, actor, action, args, error) => {
    const ch = await smallChannel();
    // Prior state that some rules need: user 0 liked and reposted post 1.
    const b0 = ch.beginStep(0, T0);
    ch.apply(b0, 0, { action: 'like', args: { post_id: 1 } });
    ch.apply(b0, 0, { action: 'repost', args: { post_id: 1 } });
    await ch.commitStep(b0, 1);
    const tables = ['users', 'posts', 'follows', 'likes', 'reposts'];
    const before = await Promise.all(tables.map((t) => rows(ch, `SELECT * FROM ${t} ORDER BY ALL`)));

    const b1 = ch.beginStep(1, T0 + 3_600_000);
    expect(ch.apply(b1, actor, { action, args })).toEqual({ ok: false, error });
    await ch.commitStep(b1, 1);

    expect(await Promise.all(tables.map((t) => rows(ch, `SELECT * FROM ${t} ORDER BY ALL`)))).toEqual(before);
    expect(await rows(ch, 'SELECT agent_id AS a, action, ok, error, args::VARCHAR AS args FROM trace WHERE step = 1')).toEqual([
      { a: actor, action, ok: false, error, args: JSON.stringify(args) },
    ]);
    expect(await rows(ch, 'SELECT failed_actions AS f FROM steps WHERE step = 1')).toEqual([{ f: 1 }]);
    await ch.close();
  });

  it('when a new account signs up mid-run then it exists and can act', async () => {
    const ch = await smallChannel();
    const b = ch.beginStep(0, T0);
    expect(ch.apply(b, 7, { action: 'sign_up', args: { username: 'newcomer', name: 'New', bio: 'hi' } })).toEqual({ ok: true, result: { user_id: 7 } });
    expect(ch.apply(b, 7, { action: 'like', args: { post_id: 1 } })).toEqual({ ok: true });
    await ch.commitStep(b, 1);
    expect(await rows(ch, "SELECT username, name, bio, created_step AS s FROM users WHERE user_id = 7")).toEqual([{ username: 'newcomer', name: 'New', bio: 'hi', s: 0 }]);
    await ch.close();
  });

  it('when a repost is reposted then the original gets the repost', async () => {
    const ch = await smallChannel();
    const b = ch.beginStep(0, T0);
    ch.apply(b, 0, { action: 'repost', args: { post_id: 1 } });
    expect(ch.apply(b, 2, { action: 'repost', args: { post_id: 2 } })).toEqual({ ok: true, result: { post_id: 3, original_id: 1 } });
    await ch.commitStep(b, 2);
    expect(await rows(ch, 'SELECT post_id::INTEGER AS p, count(*)::INTEGER AS n FROM reposts GROUP BY ALL')).toEqual([{ p: 1, n: 2 }]);
    await ch.close();
  });

  it('when a channel is reopened then its state and sequence continue where they stopped', async () => {
    const dir = tempDir();
    const ch = await Channel.open(join(dir, 'sim.duckdb'));
    await ch.importDataset({ users: [user(0), user(1)], follows: [], posts: [{ authorId: 1, text: 'x', label: null }] }, T0);
    const b = ch.beginStep(0, T0);
    ch.apply(b, 0, { action: 'like', args: { post_id: 1 } });
    await ch.commitStep(b, 1);
    await ch.close();

    const again = await Channel.open(join(dir, 'sim.duckdb'));
    expect(again.committedStep).toBe(0);
    const b1 = again.beginStep(1, T0);
    expect(again.apply(b1, 0, { action: 'like', args: { post_id: 1 } })).toEqual({ ok: false, error: 'already liked post 1' });
    expect(again.apply(b1, 1, { action: 'create_post', args: { text: 'second' } })).toEqual({ ok: true, result: { post_id: 2 } });
    await again.commitStep(b1, 2);
    expect(await rows(again, 'SELECT seq FROM trace ORDER BY seq')).toEqual([{ seq: 0 }, { seq: 1 }, { seq: 2 }]);
    await again.close();
  });

  it('the catalog describes every action once, with an object schema', () => {
    const catalog = actionCatalog();
    expect(catalog.map((a) => a.name)).toEqual(ACTION_NAMES);
    expect(new Set(ACTION_NAMES).size).toBe(ACTION_NAMES.length);
    for (const a of ['sign_up', 'refresh', 'create_post', 'like', 'unlike', 'repost', 'follow', 'unfollow', 'do_nothing']) expect(ACTION_NAMES).toContain(a);
    // The registry compiles them without checking them against the meta-schema: this does, strictly.
    const checking = new Ajv({ strict: true });
    for (const a of catalog) {
      expect(a.description.length).toBeGreaterThan(5);
      expect(a.parameters.type).toBe('object');
      expect(checking.validateSchema(a.parameters), `${a.name}: ${checking.errorsText()}`).toBe(true);
      expect(() => checking.compile(a.parameters), a.name).not.toThrow();
    }
    // A schema the meta-schema refuses is caught by the same check.
    expect(checking.validateSchema({ type: 'object', properties: { n: { type: 'integr' } } })).toBe(false);
  });
});
