import { join } from 'node:path';
import { expect } from 'vitest';
import type { UserRow } from '../../src/channel/batch.js';
import { Channel } from '../../src/channel/channel.js';
import { tempDir } from '../helpers/tmp.js';

export const T0 = Date.parse('2024-06-17T00:00:00Z');
export const HOUR = 3_600_000;

export function user(id: number): UserRow {
  return { userId: id, username: `u${id}`, name: `User ${id}`, bio: '', cohort: 'c', model: 'stat', kind: 'agent', persona: '{}' };
}

/** Users 0..3, user 0 following 1; post 1 by user 1, post 2 by user 2 (step 0). */
export async function channelWithPosts(path = join(tempDir(), 'sim.duckdb')): Promise<Channel> {
  return withPosts(await Channel.open(path));
}

/** channelWithPosts's users, follow and posts imported into an open channel. */
export async function withPosts(channel: Channel): Promise<Channel> {
  await channel.importDataset(
    {
      users: [user(0), user(1), user(2), user(3)],
      follows: [[0, 1]],
      posts: [
        { authorId: 1, text: 'hello #tech', label: null },
        { authorId: 2, text: 'second #music', label: null },
      ],
    },
    T0,
  );
  return channel;
}

export async function rows(channel: Channel, sql: string): Promise<Record<string, unknown>[]> {
  return channel.db.query(sql);
}

/** Applies `actions` as one step and commits it. */
export async function step(channel: Channel, n: number, actions: [number, string, Record<string, unknown>][]): Promise<unknown[]> {
  const b = channel.beginStep(n, T0 + n * HOUR);
  const out = actions.map(([actor, action, args]) => channel.apply(b, actor, { action, args }));
  await channel.commitStep(b, actions.length);
  return out;
}

export const PLATFORM_TABLES = ['users', 'posts', 'follows', 'likes', 'dislikes', 'reposts', 'bookmarks', 'mutes', 'reports', 'pins'];

export async function tables(channel: Channel): Promise<Record<string, unknown>[][]> {
  return Promise.all(PLATFORM_TABLES.map((t) => rows(channel, `SELECT * FROM ${t} ORDER BY ALL`)));
}

/**
 * Runs `setup` as step 0, then the rejected action as step 1, and checks the exact error,
 * that it was traced as failed, and that no platform table changed.
 */
export async function expectRejected(setup: [number, string, Record<string, unknown>][], actor: number, action: string, args: Record<string, unknown>, error: string): Promise<void> {
  const ch = await channelWithPosts();
  await step(ch, 0, setup);
  const before = await tables(ch);
  const b1 = ch.beginStep(1, T0 + HOUR);
  expect(ch.apply(b1, actor, { action, args })).toEqual({ ok: false, error });
  await ch.commitStep(b1, 1);
  expect(await tables(ch)).toEqual(before);
  expect(await rows(ch, 'SELECT agent_id AS a, action, ok, error FROM trace WHERE step = 1')).toEqual([{ a: actor, action, ok: false, error }]);
  await ch.close();
}
