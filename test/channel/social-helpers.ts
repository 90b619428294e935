import { expect } from 'vitest';
import { channelWithPosts, HOUR, PLATFORM_TABLES, rows, step, T0 } from './helpers.js';

export type Act = [number, string, Record<string, unknown>];

/** The tables of messages, groups and lists, plus impressions (reads record there). */
export const SOCIAL_TABLES = ['direct_messages', 'groups', 'group_members', 'group_messages', 'lists', 'list_members', 'list_pins', 'impressions'];

async function everyTable(ch: Awaited<ReturnType<typeof channelWithPosts>>): Promise<Record<string, unknown>[][]> {
  return Promise.all([...PLATFORM_TABLES, ...SOCIAL_TABLES].map((t) => rows(ch, `SELECT * FROM ${t} ORDER BY ALL`)));
}

/**
 * helpers.ts's expectRejected over the social tables too: runs `setup` as step 0 and the
 * rejected action as step 1, then checks the exact error, the failed trace row, and that no
 * platform, message, group, list or impressions table changed.
 */
export async function expectSocialRejected(setup: Act[], actor: number, action: string, args: Record<string, unknown>, error: string): Promise<void> {
  const ch = await channelWithPosts();
  await step(ch, 0, setup);
  const before = await everyTable(ch);
  const b1 = ch.beginStep(1, T0 + HOUR);
  expect(ch.apply(b1, actor, { action, args })).toEqual({ ok: false, error });
  await ch.commitStep(b1, 1);
  expect(await everyTable(ch)).toEqual(before);
  expect(await rows(ch, 'SELECT agent_id AS a, action, ok, error FROM trace WHERE step = 1')).toEqual([{ a: actor, action, ok: false, error }]);
  await ch.close();
}
