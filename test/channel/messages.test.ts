import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/channel/channel.js';
import { MESSAGE_WINDOW } from '../../src/channel/social.js';
import { tempDir } from '../helpers/tmp.js';
import { channelWithPosts, rows, step } from './helpers.js';
import { expectSocialRejected, type Act } from './social-helpers.js';

const msg = (message_id: number, from_user_id: number, text: string, step: number, group_id: number | null = null) => ({ message_id, from_user_id, group_id, text, step });

describe('direct messages and read_messages', () => {
  it('when users send direct messages then direct_messages holds them and the recipient reads them newest first', async () => {
    const ch = await channelWithPosts();
    expect(await step(ch, 0, [
      [0, 'send_direct_message', { to_user_id: 1, text: 'hi' }],
      [2, 'send_direct_message', { to_user_id: 1, text: 'yo' }],
      [1, 'send_direct_message', { to_user_id: 0, text: 'back at you' }],
    ])).toEqual([
      { ok: true, result: { message_id: 1 } },
      { ok: true, result: { message_id: 2 } },
      { ok: true, result: { message_id: 3 } },
    ]);
    expect(await rows(ch, 'SELECT message_id::INTEGER AS id, sender_id AS s, recipient_id AS r, text, created_step AS step FROM direct_messages ORDER BY id')).toEqual([
      { id: 1, s: 0, r: 1, text: 'hi', step: 0 },
      { id: 2, s: 2, r: 1, text: 'yo', step: 0 },
      { id: 3, s: 1, r: 0, text: 'back at you', step: 0 },
    ]);
    expect(await step(ch, 1, [
      [1, 'read_messages', {}],
      [1, 'read_messages', { limit: 1 }],
      [3, 'read_messages', {}],
    ])).toEqual([
      { ok: true, result: { messages: [msg(2, 2, 'yo', 0), msg(1, 0, 'hi', 0)] } },
      { ok: true, result: { messages: [msg(2, 2, 'yo', 0)] } },
      { ok: true, result: { messages: [] } },
    ]);
    await ch.close();
  });

  it('when an agent reads its inbox then DMs and messages of its groups merge by id, without its own or muted senders', async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [
      [1, 'create_group', { name: 'club' }],
      [0, 'send_direct_message', { to_user_id: 1, text: 'dm from 0' }],
      [1, 'send_group_message', { group_id: 1, text: 'my own words' }],
      [2, 'join_group', { group_id: 1 }],
      [2, 'send_group_message', { group_id: 1, text: 'from 2' }],
      [3, 'send_direct_message', { to_user_id: 1, text: 'dm from 3' }],
      [1, 'mute', { user_id: 3 }],
    ]);
    expect(await step(ch, 1, [[1, 'read_messages', {}], [1, 'read_messages', { group_id: 1 }]])).toEqual([
      { ok: true, result: { messages: [msg(3, 2, 'from 2', 0, 1), msg(1, 0, 'dm from 0', 0)] } },
      { ok: true, result: { group_id: 1, messages: [msg(3, 2, 'from 2', 0, 1), msg(2, 1, 'my own words', 0, 1)] } },
    ]);
    await ch.close();
  });

  it('when a channel is reopened then messages are read as before and message ids continue after the last', async () => {
    const path = join(tempDir(), 'sim.duckdb');
    const ch = await channelWithPosts(path);
    // More than the mirror keeps per inbox: the reopened mirror must hold the newest ones.
    const many: Act[] = Array.from({ length: MESSAGE_WINDOW + 10 }, (_, i) => [2, 'send_direct_message', { to_user_id: 1, text: `m${i + 1}` }]);
    await step(ch, 0, [[0, 'create_group', { name: 'g' }], [0, 'send_group_message', { group_id: 1, text: 'g1' }], ...many]);
    const [before] = await step(ch, 1, [[1, 'read_messages', { limit: MESSAGE_WINDOW }]]);
    await ch.close();
    const again = await Channel.open(path);
    const [after, sent] = await step(again, 2, [
      [1, 'read_messages', { limit: MESSAGE_WINDOW }],
      [1, 'send_direct_message', { to_user_id: 2, text: 'thanks' }],
    ]);
    expect(after).toEqual(before);
    expect((after as { result: { messages: { message_id: number }[] } }).result.messages.map((m) => m.message_id)).toEqual(
      Array.from({ length: MESSAGE_WINDOW }, (_, i) => MESSAGE_WINDOW + 11 - i),
    );
    expect(sent).toEqual({ ok: true, result: { message_id: MESSAGE_WINDOW + 12 } });
    await again.close();
  });

  const rejected: [string, Act[], number, string, Record<string, unknown>, string][] = [
    ['a DM to oneself', [], 0, 'send_direct_message', { to_user_id: 0, text: 'me' }, 'cannot message yourself'],
    ['a DM to an unknown user', [], 0, 'send_direct_message', { to_user_id: 9, text: 'hi' }, 'user 9 does not exist'],
    ['a blank DM', [], 0, 'send_direct_message', { to_user_id: 1, text: '  ' }, 'a message needs some text'],
    ['a DM without text', [], 0, 'send_direct_message', { to_user_id: 1 }, 'invalid arguments for send_direct_message: missing required argument "text"'],
    ['a DM with a string id', [], 0, 'send_direct_message', { to_user_id: '1', text: 'hi' }, 'invalid arguments for send_direct_message: to_user_id must be integer'],
    ['a DM with an unknown argument', [], 0, 'send_direct_message', { to_user_id: 1, text: 'hi', cc: 2 }, 'invalid arguments for send_direct_message: unknown argument "cc"'],
    ['reading an unknown group', [], 0, 'read_messages', { group_id: 5 }, 'group 5 does not exist'],
    ['reading a group one is not in', [[1, 'create_group', { name: 'g' }]], 0, 'read_messages', { group_id: 1 }, 'not a member of group 1'],
    ['reading with a limit over the window', [], 0, 'read_messages', { limit: MESSAGE_WINDOW + 1 }, `invalid arguments for read_messages: limit must be <= ${MESSAGE_WINDOW}`],
  ];
  for (const [what, setup, actor, action, args, error] of rejected) {
    it(`when ${what} is attempted then it is rejected with "${error}" and nothing is written`, async () => {
      await expectSocialRejected(setup, actor, action, args, error);
    });
  }
});
