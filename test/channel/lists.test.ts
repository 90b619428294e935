import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_LIST_PINS } from '../../src/channel/actions/lists.js';
import { Channel } from '../../src/channel/channel.js';
import { tempDir } from '../helpers/tmp.js';
import { channelWithPosts, rows, step } from './helpers.js';
import { expectSocialRejected, type Act } from './social-helpers.js';

const MEMBERS = 'SELECT list_id AS l, user_id AS u, created_step AS s FROM list_members ORDER BY l, u';

describe('lists', () => {
  it('when the owner creates a list and adds and removes members then lists and list_members hold the net change', async () => {
    const ch = await channelWithPosts();
    expect(await step(ch, 0, [
      [0, 'create_list', { name: ' news ' }],
      [0, 'add_to_list', { list_id: 1, user_id: 1 }],
      [0, 'add_to_list', { list_id: 1, user_id: 2 }],
      [0, 'add_to_list', { list_id: 1, user_id: 3 }],
      [0, 'remove_from_list', { list_id: 1, user_id: 3 }],
    ])).toEqual([
      { ok: true, result: { list_id: 1 } },
      { ok: true, result: { list_id: 1, members: 1 } },
      { ok: true, result: { list_id: 1, members: 2 } },
      { ok: true, result: { list_id: 1, members: 3 } },
      { ok: true, result: { list_id: 1, members: 2 } },
    ]);
    await step(ch, 1, [[0, 'remove_from_list', { list_id: 1, user_id: 1 }], [0, 'add_to_list', { list_id: 1, user_id: 0 }]]);
    expect(await rows(ch, 'SELECT list_id AS l, owner_id AS o, name, created_step AS s FROM lists')).toEqual([{ l: 1, o: 0, name: 'news', s: 0 }]);
    expect(await rows(ch, MEMBERS)).toEqual([{ l: 1, u: 0, s: 1 }, { l: 1, u: 2, s: 0 }]);
    await ch.close();
  });

  it("when anyone reads a list then it gets its members' visible posts newest first, without deleted, hidden or muted ones", async () => {
    const ch = await channelWithPosts();
    await step(ch, 0, [
      [0, 'create_list', { name: 'l' }],
      [0, 'add_to_list', { list_id: 1, user_id: 1 }],
      [0, 'add_to_list', { list_id: 1, user_id: 2 }],
      [1, 'create_post', { text: 'p3' }], // 3
      [2, 'reply', { post_id: 1, text: 'rude' }], // 4, hidden below
      [2, 'create_post', { text: 'p5' }], // 5, deleted below
      [3, 'create_post', { text: 'not on the list' }], // 6
      [2, 'repost', { post_id: 6 }], // 7
    ]);
    await step(ch, 1, [[1, 'hide_reply', { post_id: 4 }], [2, 'delete_post', { post_id: 5 }]]);
    expect(await step(ch, 2, [
      [3, 'read_list', { list_id: 1 }],
      [3, 'read_list', { list_id: 1, limit: 2 }],
      [0, 'mute', { user_id: 2 }],
      [0, 'read_list', { list_id: 1 }],
    ])).toEqual([
      { ok: true, result: { list_id: 1, name: 'l', post_ids: [7, 3, 2, 1] } },
      { ok: true, result: { list_id: 1, name: 'l', post_ids: [7, 3] } },
      { ok: true },
      { ok: true, result: { list_id: 1, name: 'l', post_ids: [3, 1] } },
    ]);
    await ch.close();
  });

  it('when users pin and unpin lists then list_pins holds the net change, at most the pin limit per user', async () => {
    const ch = await channelWithPosts();
    const lists: Act[] = Array.from({ length: MAX_LIST_PINS + 1 }, (_, i) => [1, 'create_list', { name: `l${i + 1}` }]);
    const pins: Act[] = Array.from({ length: MAX_LIST_PINS }, (_, i) => [0, 'pin_list', { list_id: i + 1 }]);
    await step(ch, 0, [...lists, ...pins, [1, 'pin_list', { list_id: 2 }]]);
    expect(await step(ch, 1, [
      [0, 'pin_list', { list_id: MAX_LIST_PINS + 1 }],
      [0, 'unpin_list', { list_id: 1 }],
      [0, 'pin_list', { list_id: MAX_LIST_PINS + 1 }],
    ])).toEqual([{ ok: false, error: `at most ${MAX_LIST_PINS} lists can be pinned; unpin one first` }, { ok: true }, { ok: true }]);
    expect(await rows(ch, 'SELECT user_id AS u, list_id AS l, created_step AS s FROM list_pins ORDER BY u, l')).toEqual([
      ...Array.from({ length: MAX_LIST_PINS - 1 }, (_, i) => ({ u: 0, l: i + 2, s: 0 })),
      { u: 0, l: MAX_LIST_PINS + 1, s: 1 },
      { u: 1, l: 2, s: 0 },
    ]);
    await ch.close();
  });

  it('when a channel is reopened then list ownership, members and pins are enforced as before and list ids continue', async () => {
    const path = join(tempDir(), 'sim.duckdb');
    const ch = await channelWithPosts(path);
    await step(ch, 0, [[0, 'create_list', { name: 'l' }], [0, 'add_to_list', { list_id: 1, user_id: 1 }], [2, 'pin_list', { list_id: 1 }]]);
    await ch.close();
    const again = await Channel.open(path);
    expect(await step(again, 1, [
      [0, 'add_to_list', { list_id: 1, user_id: 1 }],
      [1, 'add_to_list', { list_id: 1, user_id: 2 }],
      [2, 'pin_list', { list_id: 1 }],
      [3, 'read_list', { list_id: 1 }],
      [0, 'create_list', { name: 'second' }],
    ])).toEqual([
      { ok: false, error: 'user 1 is already on list 1' },
      { ok: false, error: 'only the owner of list 1 can add to it' },
      { ok: false, error: 'list 1 is already pinned' },
      { ok: true, result: { list_id: 1, name: 'l', post_ids: [1] } },
      { ok: true, result: { list_id: 2 } },
    ]);
    await again.close();
  });

  const owned: Act[] = [[0, 'create_list', { name: 'l' }], [0, 'add_to_list', { list_id: 1, user_id: 1 }]];
  const rejected: [string, Act[], number, string, Record<string, unknown>, string][] = [
    ['adding to an unknown list', [], 0, 'add_to_list', { list_id: 4, user_id: 1 }, 'list 4 does not exist'],
    ["adding to another's list", owned, 2, 'add_to_list', { list_id: 1, user_id: 3 }, 'only the owner of list 1 can add to it'],
    ['adding an unknown user', owned, 0, 'add_to_list', { list_id: 1, user_id: 42 }, 'user 42 does not exist'],
    ['adding a member twice', owned, 0, 'add_to_list', { list_id: 1, user_id: 1 }, 'user 1 is already on list 1'],
    ["removing from another's list", owned, 1, 'remove_from_list', { list_id: 1, user_id: 1 }, 'only the owner of list 1 can remove from it'],
    ['removing a non-member', owned, 0, 'remove_from_list', { list_id: 1, user_id: 2 }, 'user 2 is not on list 1'],
    ['removing from an unknown list', [], 0, 'remove_from_list', { list_id: 1, user_id: 2 }, 'list 1 does not exist'],
    ['reading an unknown list', [], 0, 'read_list', { list_id: 3 }, 'list 3 does not exist'],
    ['pinning an unknown list', [], 0, 'pin_list', { list_id: 3 }, 'list 3 does not exist'],
    ['pinning a list twice', [...owned, [2, 'pin_list', { list_id: 1 }]], 2, 'pin_list', { list_id: 1 }, 'list 1 is already pinned'],
    ['unpinning a list not pinned', owned, 0, 'unpin_list', { list_id: 1 }, 'list 1 is not pinned'],
    ['unpinning an unknown list', [], 0, 'unpin_list', { list_id: 8 }, 'list 8 does not exist'],
    ['a list with a blank name', [], 0, 'create_list', { name: '' }, 'invalid arguments for create_list: name must NOT have fewer than 1 characters'],
    ['a list named with spaces only', [], 0, 'create_list', { name: '  ' }, 'a list needs a name'],
    ['adding without a user id', owned, 0, 'add_to_list', { list_id: 1 }, 'invalid arguments for add_to_list: missing required argument "user_id"'],
    ['reading with a fractional list id', [], 0, 'read_list', { list_id: 1.5 }, 'invalid arguments for read_list: list_id must be integer'],
  ];
  for (const [what, setup, actor, action, args, error] of rejected) {
    it(`when ${what} is attempted then it is rejected with "${error}" and nothing is written`, async () => {
      await expectSocialRejected(setup, actor, action, args, error);
    });
  }
});
