import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeRun } from '../../src/analysis/index.js';
import { Channel } from '../../src/channel/channel.js';
import { tempDir } from '../helpers/tmp.js';
import { channelWithPosts, rows, step } from './helpers.js';
import { expectSocialRejected, type Act } from './social-helpers.js';

const MEMBERS = 'SELECT group_id AS g, user_id AS u, joined_step AS j, left_step AS l FROM group_members ORDER BY u, j';

describe('groups', () => {
  it('when a user creates a group then groups has its row and the creator is its first member', async () => {
    const ch = await channelWithPosts();
    expect(await step(ch, 0, [[0, 'create_group', { name: '  book club ' }], [1, 'create_group', { name: 'book club' }]])).toEqual([
      { ok: true, result: { group_id: 1 } },
      { ok: true, result: { group_id: 2 } },
    ]);
    expect(await rows(ch, 'SELECT group_id AS g, creator_id AS c, name, created_step AS s FROM groups ORDER BY g')).toEqual([
      { g: 1, c: 0, name: 'book club', s: 0 },
      { g: 2, c: 1, name: 'book club', s: 0 },
    ]);
    expect(await rows(ch, MEMBERS)).toEqual([{ g: 1, u: 0, j: 0, l: null }, { g: 2, u: 1, j: 0, l: null }]);
    await ch.close();
  });

  it('when members join, leave and rejoin, also within one step, then group_members keeps each stay with its joined and left steps', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [[0, 'create_group', { name: 'club' }], [1, 'join_group', { group_id: 1 }], [2, 'join_group', { group_id: 1 }]]);
    expect(await step(ch, 1, [
      [1, 'leave_group', { group_id: 1 }],
      [2, 'leave_group', { group_id: 1 }],
      [2, 'join_group', { group_id: 1 }],
      [3, 'join_group', { group_id: 1 }],
      [3, 'leave_group', { group_id: 1 }],
      [3, 'join_group', { group_id: 1 }],
      [3, 'leave_group', { group_id: 1 }],
    ])).toEqual([{ ok: true }, { ok: true }, { ok: true, result: { group_id: 1, members: 2 } }, { ok: true, result: { group_id: 1, members: 3 } }, { ok: true }, { ok: true, result: { group_id: 1, members: 3 } }, { ok: true }]);
    await step(ch, 2, [[1, 'join_group', { group_id: 1 }]]);
    expect(await rows(ch, MEMBERS)).toEqual([
      { g: 1, u: 0, j: 0, l: null },
      { g: 1, u: 1, j: 0, l: 1 },
      { g: 1, u: 1, j: 2, l: null },
      { g: 1, u: 2, j: 0, l: 1 },
      { g: 1, u: 2, j: 1, l: null },
      { g: 1, u: 3, j: 1, l: 1 },
      { g: 1, u: 3, j: 1, l: 1 },
    ]);
    await ch.close();
  });

  it('when members send group messages then group_messages holds them, and a member who left can no longer send', async () => {
    const ch = await channelWithPosts();
    expect(await step(ch, 0, [
      [0, 'create_group', { name: 'club' }],
      [1, 'join_group', { group_id: 1 }],
      [0, 'send_group_message', { group_id: 1, text: 'welcome' }],
      [1, 'send_group_message', { group_id: 1, text: 'thanks' }],
      [1, 'leave_group', { group_id: 1 }],
      [1, 'send_group_message', { group_id: 1, text: 'bye?' }],
    ])).toEqual([
      { ok: true, result: { group_id: 1 } },
      { ok: true, result: { group_id: 1, members: 2 } },
      { ok: true, result: { message_id: 1 } },
      { ok: true, result: { message_id: 2 } },
      { ok: true },
      { ok: false, error: 'not a member of group 1' },
    ]);
    expect(await rows(ch, 'SELECT message_id::INTEGER AS id, group_id AS g, sender_id AS s, text, created_step AS step FROM group_messages ORDER BY id')).toEqual([
      { id: 1, g: 1, s: 0, text: 'welcome', step: 0 },
      { id: 2, g: 1, s: 1, text: 'thanks', step: 0 },
    ]);
    await ch.close();
  });

  it('when a channel is reopened then group membership is enforced as before and group ids continue', async () => {
    const path = join(tempDir(), 'sim.duckdb');
    const ch = await channelWithPosts(path);
    await step(ch, 0, [[0, 'create_group', { name: 'club' }], [1, 'join_group', { group_id: 1 }], [2, 'join_group', { group_id: 1 }]]);
    await step(ch, 1, [[2, 'leave_group', { group_id: 1 }]]);
    await ch.close();
    const again = await Channel.open(path);
    expect(await step(again, 2, [
      [1, 'join_group', { group_id: 1 }],
      [2, 'send_group_message', { group_id: 1, text: 'hi' }],
      [3, 'leave_group', { group_id: 1 }],
      [1, 'send_group_message', { group_id: 1, text: 'still here' }],
      [2, 'join_group', { group_id: 1 }],
      [3, 'create_group', { name: 'second' }],
    ])).toEqual([
      { ok: false, error: 'already a member of group 1' },
      { ok: false, error: 'not a member of group 1' },
      { ok: false, error: 'not a member of group 1' },
      { ok: true, result: { message_id: 1 } },
      { ok: true, result: { group_id: 1, members: 3 } },
      { ok: true, result: { group_id: 2 } },
    ]);
    await again.close();
  });

  it('when a run used group, message and list actions then inspect lists them by type', async () => {
    const path = join(tempDir(), 'sim.duckdb');
    const ch = await channelWithPosts(path);
    await step(ch, 0, [
      [0, 'create_group', { name: 'club' }],
      [0, 'send_group_message', { group_id: 1, text: 'hi' }],
      [0, 'send_direct_message', { to_user_id: 1, text: 'hi' }],
      [0, 'create_list', { name: 'l' }],
      [1, 'join_group', { group_id: 9 }],
    ]);
    await ch.close();
    const summary = await summarizeRun(path);
    expect(summary.actionsByType).toEqual([
      { action: 'create_group', ok: 1, failed: 0, total: 1 },
      { action: 'create_list', ok: 1, failed: 0, total: 1 },
      { action: 'join_group', ok: 0, failed: 1, total: 1 },
      { action: 'send_direct_message', ok: 1, failed: 0, total: 1 },
      { action: 'send_group_message', ok: 1, failed: 0, total: 1 },
    ]);
  });

  const inGroup: Act[] = [[1, 'create_group', { name: 'g' }]];
  const rejected: [string, Act[], number, string, Record<string, unknown>, string][] = [
    ['joining an unknown group', [], 0, 'join_group', { group_id: 7 }, 'group 7 does not exist'],
    ['the creator joining its own group', inGroup, 1, 'join_group', { group_id: 1 }, 'already a member of group 1'],
    ['a second join', [...inGroup, [0, 'join_group', { group_id: 1 }]], 0, 'join_group', { group_id: 1 }, 'already a member of group 1'],
    ['leaving a group one is not in', inGroup, 0, 'leave_group', { group_id: 1 }, 'not a member of group 1'],
    ['leaving an unknown group', [], 0, 'leave_group', { group_id: 3 }, 'group 3 does not exist'],
    ['a message by a non-member', inGroup, 0, 'send_group_message', { group_id: 1, text: 'hi' }, 'not a member of group 1'],
    ['a message to an unknown group', [], 0, 'send_group_message', { group_id: 2, text: 'hi' }, 'group 2 does not exist'],
    ['a blank group message', inGroup, 1, 'send_group_message', { group_id: 1, text: ' ' }, 'a message needs some text'],
    ['a group with a blank name', [], 0, 'create_group', { name: '   ' }, 'a group needs a name'],
    ['a group without a name', [], 0, 'create_group', {}, 'invalid arguments for create_group: missing required argument "name"'],
    ['a group name that is too long', [], 0, 'create_group', { name: 'x'.repeat(101) }, 'invalid arguments for create_group: name must NOT have more than 100 characters'],
    ['a group id of 0', [], 0, 'join_group', { group_id: 0 }, 'invalid arguments for join_group: group_id must be >= 1'],
    ['a group id that is text', [], 0, 'leave_group', { group_id: 'one' }, 'invalid arguments for leave_group: group_id must be integer'],
  ];
  for (const [what, setup, actor, action, args, error] of rejected) {
    it(`when ${what} is attempted then it is rejected with "${error}" and nothing is written`, async () => {
      await expectSocialRejected(setup, actor, action, args, error);
    });
  }
});
