import { describe, expect, it } from 'vitest';
import type { ChatCompletionMessage } from 'openai/resources/chat/completions';
import { parseJsonActions, parseToolCalls } from '../../src/agents/llm/parse.js';
import { DEFAULT_SYSTEM_TEMPLATE, promptVars, render } from '../../src/agents/llm/prompts.js';
import { estimateTokens, fitToContext } from '../../src/agents/llm/fit.js';
import { agentTools, jsonModeInstructions } from '../../src/agents/llm/tools.js';
import type { WireRequest } from '../../src/agents/llm/wire.js';

const message = (calls: [string, string][]): ChatCompletionMessage => ({
  role: 'assistant',
  content: null,
  refusal: null,
  tool_calls: calls.map(([name, args], i) => ({ id: `c${i}`, type: 'function', function: { name, arguments: args } })),
});

describe('LLM replies', () => {
  it('when tool calls arrive then valid ones become actions and each bad one names its problem', () => {
    const out = parseToolCalls(message([['like', '{"post_id": 4}'], ['like', '{"post_id": "4"}'], ['follow', '{"user'], ['fly', '{}'], ['do_nothing', '']]));
    expect(out.map((p) => p.valid)).toEqual([{ action: 'like', args: { post_id: 4 } }, null, null, null, { action: 'do_nothing', args: {} }]);
    expect(out[1]!.error).toBe('invalid arguments for like: post_id must be integer');
    expect(out[2]!.error).toMatch(/^arguments are not valid JSON/);
    expect(out[3]!.error).toMatch(/^unknown action "fly"; available: /);
    expect(out.map((p) => p.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('when a json-mode reply wraps its list in prose or fences then the list is still read', () => {
    const { proposals, error } = parseJsonActions('Sure!\n```json\n[{"action": "like", "args": {"post_id": 2}}, {"action": "create_post", "args": {"text": "hi"}}]\n```');
    expect(error).toBeNull();
    expect(proposals.map((p) => p.valid)).toEqual([
      { action: 'like', args: { post_id: 2 } },
      { action: 'create_post', args: { text: 'hi' } },
    ]);
    expect(parseJsonActions('I would like post 3').error).toBe('the reply holds no JSON action list');
    expect(parseJsonActions('[{"action": "like", "args": {"post_id": 2}').error).toMatch(/^the action list is not valid JSON/);
    expect(parseJsonActions('[{"args": {}}]').proposals[0]!.error).toBe('each item needs an "action" name and an "args" object');
    expect(parseJsonActions('{"action": "do_nothing"}').proposals[0]!.valid).toEqual({ action: 'do_nothing', args: {} });
  });

  it('when the tools are offered then engine-only actions are hidden and json mode lists the same actions', () => {
    const names = agentTools().map((t) => t.function.name);
    expect(names).toEqual([
      'create_post', 'reply', 'quote_post', 'delete_post', 'pin_post', 'like', 'unlike', 'dislike', 'undo_dislike', 'repost',
      'bookmark', 'unbookmark', 'list_bookmarks', 'follow', 'unfollow', 'mute', 'unmute', 'report_post', 'hide_reply', 'timeline',
      'search_posts', 'search_users', 'trends', 'send_direct_message', 'create_group', 'join_group', 'leave_group', 'send_group_message',
      'read_messages', 'create_list', 'add_to_list', 'remove_from_list', 'read_list', 'pin_list', 'unpin_list', 'do_nothing',
    ]);
    const text = jsonModeInstructions();
    for (const n of names) expect(text).toContain(`- ${n} {`);
    expect(text).toContain('- like {"post_id": integer}');
  });

  it('when a prompt is rendered then persona, feed, notifications and memory appear, and unknown placeholders stay visible', () => {
    const req: WireRequest = {
      agentId: 7,
      name: 'Ada Silva',
      username: 'ada_silva_7',
      bio: 'Into tech.',
      interests: ['tech', 'music'],
      simTime: '2024-06-17T08:00:00.000Z',
      feed: [{ postId: 12, authorId: 3, author: 'ben', text: 'New chip!\n#tech', likes: 1, reposts: 0, likedByMe: true, repostedByMe: false, followingAuthor: false, label: null }],
      notifications: [{ step: 1, kind: 'follow', fromUser: 4, fromUsername: 'zoe', postId: null }],
      memory: [{ step: 1, action: 'like', args: '{"post_id":9}', ok: false, error: 'post 9 was deleted' }],
    };
    const vars = promptVars(req);
    expect(render(DEFAULT_SYSTEM_TEMPLATE, vars)).toContain('You are Ada Silva (@ada_silva_7)');
    expect(vars['feed']).toBe('[post 12] @ben (user 3) · 1 like, 0 reposts · you liked it\n  New chip! #tech');
    expect(vars['notifications']).toBe('- @zoe (user 4) followed you');
    expect(vars['memory']).toBe('- step 1: like {"post_id":9} (failed: post 9 was deleted)');
    expect(render('{{name}} {{nmae}}', vars)).toBe('Ada Silva {{nmae}}');
  });
});

describe('fitting the context window', () => {
  const post = (i: number): WireRequest['feed'][number] => ({ postId: i, authorId: i, author: `a${i}`, text: 'x'.repeat(200), likes: 0, reposts: 0, likedByMe: false, repostedByMe: false, followingAuthor: false, label: null });
  const big: WireRequest = {
    agentId: 1,
    name: 'A',
    username: 'a',
    bio: '',
    interests: [],
    simTime: 't',
    feed: Array.from({ length: 20 }, (_, i) => post(i)),
    notifications: Array.from({ length: 10 }, (_, i) => ({ step: 1, kind: 'follow' as const, fromUser: i, fromUsername: `u${i}`, postId: null })),
    memory: Array.from({ length: 50 }, (_, i) => ({ step: 1, action: 'create_post', args: JSON.stringify({ text: 'y'.repeat(150) }), ok: true, error: null })),
  };
  const measure = (r: WireRequest): number => Object.values(promptVars(r)).reduce((n, v) => n + estimateTokens(v), 0);

  it('when the prompt fits then nothing is dropped', () => {
    expect(fitToContext(big, 1e6, measure)).toBe(big);
  });

  it('when it does not fit then memory goes first, then notifications, then low-ranked feed posts, until it fits', () => {
    const full = measure(big);
    const a = fitToContext(big, full - 100, measure);
    expect(measure(a)).toBeLessThanOrEqual(full - 100);
    expect(a.feed).toHaveLength(20);
    expect(a.notifications).toHaveLength(10);
    expect(a.memory.length).toBeLessThan(50);
    expect(a.memory).toEqual(big.memory.slice(0, a.memory.length)); // the newest memories stay

    const feedOnly = measure({ ...big, memory: [], notifications: [] });
    const b = fitToContext(big, feedOnly - 200, measure);
    expect(b.memory).toEqual([]);
    expect(b.notifications).toEqual([]);
    expect(b.feed.length).toBeLessThan(20);
    expect(b.feed).toEqual(big.feed.slice(0, b.feed.length)); // top-ranked posts stay
    expect(measure(b)).toBeLessThanOrEqual(feedOnly - 200);
  });
});
