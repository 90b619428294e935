import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UserRow } from '../../src/channel/batch.js';
import { Channel } from '../../src/channel/channel.js';
import { describeNotification, NOTIFICATION_TEXT } from '../../src/channel/context.js';
import { tempDir } from '../helpers/tmp.js';

const user = (id: number): UserRow => ({ userId: id, username: `u${id}`, name: `U${id}`, bio: '', cohort: 'c', model: 'm', kind: 'agent', persona: '{}' });

describe('agent context', () => {
  it('when others engage with an agent between its turns then it is notified of exactly that, and recalls its own actions', async () => {
    const ch = await Channel.open(join(tempDir(), 'sim.duckdb'));
    await ch.importDataset({ users: [user(0), user(1), user(2)], follows: [], posts: [{ authorId: 0, text: 'mine', label: null }] }, 0);
    // Step 0: agent 0 acts (its turn); user 1 likes post 1 in the same step.
    let b = ch.beginStep(0, 0);
    ch.apply(b, 0, { action: 'create_post', args: { text: 'second' } });
    ch.apply(b, 0, { action: 'like', args: { post_id: 99 } });
    ch.apply(b, 1, { action: 'like', args: { post_id: 1 } });
    await ch.commitStep(b, 2);
    // Step 1: agent 0 is idle; user 2 reposts and follows it, user 1 likes its second post.
    b = ch.beginStep(1, 0);
    ch.apply(b, 2, { action: 'repost', args: { post_id: 1 } });
    ch.apply(b, 2, { action: 'follow', args: { user_id: 0 } });
    ch.apply(b, 1, { action: 'like', args: { post_id: 2 } });
    await ch.commitStep(b, 2);

    const ctx = await ch.agentContexts([0, 2], 5);
    expect(ctx.get(0)?.notifications).toEqual([
      { step: 1, kind: 'follow', fromUser: 2, fromUsername: 'u2', postId: null },
      { step: 1, kind: 'like', fromUser: 1, fromUsername: 'u1', postId: 2 },
      { step: 1, kind: 'repost', fromUser: 2, fromUsername: 'u2', postId: 1 },
      { step: 0, kind: 'like', fromUser: 1, fromUsername: 'u1', postId: 1 },
    ]);
    expect(ctx.get(0)?.memory).toEqual([
      { step: 0, action: 'like', args: '{"post_id":99}', ok: false, error: 'post 99 does not exist' },
      { step: 0, action: 'create_post', args: '{"text":"second"}', ok: true, error: null },
    ]);
    // Agent 2 last acted in step 1: nothing has happened to it since.
    expect(ctx.get(2)?.notifications).toEqual([]);
    expect(ctx.get(2)?.memory.map((m) => m.action)).toEqual(['follow', 'repost']);
    await ch.close();
  });

  it('when others reply to, quote or message an agent between its turns then it is notified with the text, except from users it mutes', async () => {
    const ch = await Channel.open(join(tempDir(), 'sim.duckdb'));
    await ch.importDataset({ users: [user(0), user(1), user(2), user(3)], follows: [], posts: [{ authorId: 0, text: 'mine', label: null }] }, 0);
    let b = ch.beginStep(0, 0);
    ch.apply(b, 0, { action: 'create_group', args: { name: 'club' } });
    ch.apply(b, 0, { action: 'mute', args: { user_id: 3 } });
    ch.apply(b, 1, { action: 'join_group', args: { group_id: 1 } });
    ch.apply(b, 3, { action: 'join_group', args: { group_id: 1 } });
    await ch.commitStep(b, 3);
    b = ch.beginStep(1, 0);
    ch.apply(b, 1, { action: 'reply', args: { post_id: 1, text: 'nice\npoint' } }); // post 2
    ch.apply(b, 2, { action: 'quote_post', args: { post_id: 1, text: 'x'.repeat(NOTIFICATION_TEXT + 20) } }); // post 3
    ch.apply(b, 2, { action: 'reply', args: { post_id: 1, text: 'rude' } }); // post 4, hidden below
    ch.apply(b, 3, { action: 'reply', args: { post_id: 1, text: 'from a muted user' } }); // post 5
    ch.apply(b, 0, { action: 'reply', args: { post_id: 1, text: 'own reply: no news' } }); // post 6 (agent 0 acts in step 1)
    await ch.commitStep(b, 4);
    b = ch.beginStep(2, 0);
    ch.apply(b, 2, { action: 'send_direct_message', args: { to_user_id: 0, text: 'psst' } });
    ch.apply(b, 1, { action: 'send_group_message', args: { group_id: 1, text: 'hello club' } });
    ch.apply(b, 3, { action: 'send_group_message', args: { group_id: 1, text: 'muted in the club' } });
    ch.apply(b, 3, { action: 'send_direct_message', args: { to_user_id: 0, text: 'muted dm' } });
    ch.apply(b, 1, { action: 'reply', args: { post_id: 6, text: 'reply to your reply' } }); // post 7
    await ch.commitStep(b, 4);
    const ctx = await ch.agentContexts([0, 1], 0);
    const notes = ctx.get(0)?.notifications ?? [];
    expect(notes).toEqual([
      { step: 2, kind: 'group_message', fromUser: 1, fromUsername: 'u1', postId: null, text: 'hello club', groupId: 1 },
      { step: 2, kind: 'message', fromUser: 2, fromUsername: 'u2', postId: null, text: 'psst' },
      { step: 2, kind: 'reply', fromUser: 1, fromUsername: 'u1', postId: 7, parentId: 6, text: 'reply to your reply' },
      { step: 1, kind: 'quote', fromUser: 2, fromUsername: 'u2', postId: 3, parentId: 1, text: 'x'.repeat(NOTIFICATION_TEXT) },
      { step: 1, kind: 'reply', fromUser: 1, fromUsername: 'u1', postId: 2, parentId: 1, text: 'nice\npoint' },
      { step: 1, kind: 'reply', fromUser: 2, fromUsername: 'u2', postId: 4, parentId: 1, text: 'rude' },
    ]);
    // Agent 1 wrote in the group itself and got the muted user's group message.
    expect(ctx.get(1)?.notifications.map((n) => [n.kind, n.fromUser])).toEqual([['group_message', 3]]);
    expect(notes.map(describeNotification).slice(0, 4)).toEqual([
      '- @u1 (user 1) wrote in group 1: "hello club"',
      '- @u2 (user 2) sent you a direct message: "psst"',
      '- @u1 (user 1) replied to your post 6 with post 7: "reply to your reply"',
      `- @u2 (user 2) quoted your post 1 in post 3: "${'x'.repeat(NOTIFICATION_TEXT)}"`,
    ]);
    expect(describeNotification(notes[4]!)).toBe('- @u1 (user 1) replied to your post 1 with post 2: "nice point"');
    // A reply hidden by the agent (in its turn) or deleted by its author does not notify.
    b = ch.beginStep(3, 0);
    ch.apply(b, 2, { action: 'reply', args: { post_id: 1, text: 'rude again' } }); // post 8
    ch.apply(b, 0, { action: 'hide_reply', args: { post_id: 8 } });
    ch.apply(b, 1, { action: 'reply', args: { post_id: 1, text: 'oops' } }); // post 9
    ch.apply(b, 1, { action: 'delete_post', args: { post_id: 9 } });
    ch.apply(b, 2, { action: 'reply', args: { post_id: 1, text: 'kept' } }); // post 10
    await ch.commitStep(b, 2);
    const later = await ch.agentContexts([0], 0);
    expect(later.get(0)?.notifications.map((n) => [n.kind, n.postId])).toEqual([['reply', 10]]);
    await ch.close();
  });

  it('when likes, reposts and follows are described then the lines read as they did before the newer kinds', () => {
    const base = { step: 1, fromUser: 4, fromUsername: 'zoe' };
    expect(describeNotification({ ...base, kind: 'follow', postId: null })).toBe('- @zoe (user 4) followed you');
    expect(describeNotification({ ...base, kind: 'like', postId: 9 })).toBe('- @zoe (user 4) liked your post 9');
    expect(describeNotification({ ...base, kind: 'repost', postId: 9 })).toBe('- @zoe (user 4) reposted your post 9');
  });

  it('when a rejected proposal carries raw text then trace stores it as a JSON string', async () => {
    const ch = await Channel.open(join(tempDir(), 'sim.duckdb'));
    await ch.importDataset({ users: [user(0)], follows: [], posts: [] }, 0);
    const b = ch.beginStep(0, 0);
    ch.reject(b, 0, 'like', '{"post_id": 1', 'arguments are not valid JSON');
    await ch.commitStep(b, 1);
    expect(await ch.db.query('SELECT action, args::VARCHAR AS args, ok, error FROM trace')).toEqual([
      { action: 'like', args: '"{\\"post_id\\": 1"', ok: false, error: 'arguments are not valid JSON' },
    ]);
    expect(await ch.db.query('SELECT failed_actions AS f FROM steps')).toEqual([{ f: 1 }]);
    await ch.close();
  });
});
