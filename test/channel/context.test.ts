import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UserRow } from '../../src/channel/batch.js';
import { Channel } from '../../src/channel/channel.js';
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
    ch.close();
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
    ch.close();
  });
});
