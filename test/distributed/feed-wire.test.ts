/**
 * Feeds on their way to workers: a request's posts leave their shared parts (text, author) behind
 * in a table the worker reads, and come back as the very `WirePost`s the run built, so prompts
 * and request keys cannot tell.
 */
import { describe, expect, it } from 'vitest';
import type { WirePost, WireRequest } from '../../src/agents/llm/wire.js';
import { agentIds, compactRequest, expandTask, personaText, postIds, postText, type PersonaText, type PostText } from '../../src/distributed/feed-wire.js';

const post = (postId: number, extra: Partial<WirePost> = {}): WirePost => ({
  postId,
  authorId: 100 + postId,
  author: `user${postId}`,
  text: `post ${postId} says "hi" \u2014 #tag`,
  likes: postId * 3,
  reposts: postId,
  likedByMe: false,
  repostedByMe: false,
  followingAuthor: false,
  label: null,
  ...extra,
});

const request = (agentId: number, feed: WirePost[]): WireRequest => ({
  agentId,
  name: `Agent ${agentId}`,
  username: `agent${agentId}`,
  bio: 'likes trains',
  interests: ['trains', 'tea'],
  simTime: '2024-01-01T00:00:00Z',
  feed,
  notifications: [],
  memory: [],
});

describe('feed-wire', () => {
  it('when requests are compacted and expanded from the posts and personas tables then every request equals the one built, optional fields absent where they were', () => {
    const requests = [
      request(1, [post(1), post(2, { likedByMe: true, followingAuthor: true, label: 'disputed' }), post(3, { sharedBy: 'friend', dislikes: 0 })]),
      request(2, [post(2, { repostedByMe: true, dislikes: 4 }), post(4, { likedByMe: true, repostedByMe: true, followingAuthor: true })]),
      { ...request(3, []), character: 'a retired engineer', browse: { pageSize: 5, maxPages: 2 } },
    ];
    const table = new Map<number, PostText>();
    const personas = new Map<number, PersonaText>();
    const compact = requests.map((r) =>
      compactRequest(
        r,
        (p) => table.set(p.postId, postText(p)),
        (a) => personas.set(a.agentId, personaText(a)),
      ),
    );
    const task = { kind: 'decide' as const, model: 'm', requests: compact };

    expect(postIds(task).sort()).toEqual([1, 2, 3, 4]);
    expect(agentIds(task)).toEqual([1, 2, 3]);
    // The shared parts travel once, apart from the requests.
    for (const shared of ['says', 'trains', 'retired', 'Agent 1']) expect(JSON.stringify(compact)).not.toContain(shared);
    const back = expandTask(
      task,
      (id) => table.get(id),
      (id) => personas.get(id),
    );
    expect(back).toStrictEqual({ kind: 'decide', model: 'm', requests });
  });

  it('when a post or a persona is missing from its table then expanding fails naming it', () => {
    const r = request(1, [post(7)]);
    const compact = compactRequest(r, () => undefined, () => undefined);
    const task = { kind: 'decide' as const, model: 'm', requests: [compact] };
    expect(() => expandTask(task, () => undefined, () => personaText(r))).toThrow(/post 7 of a feed is not in Redis/);
    expect(() => expandTask(task, () => postText(post(7)), () => undefined)).toThrow(/agent 1's persona is not in Redis/);
  });
});
