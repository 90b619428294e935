import { describe, expect, it } from 'vitest';
import type { AgentAction } from '../../src/channel/actions/types.js';
import type { PostView } from '../../src/channel/snapshot.js';
import { createStatisticalPolicy } from '../../src/agents/statistical.js';
import type { AgentPolicy, DecisionRequest, Observation } from '../../src/agents/types.js';
import { parseExperiment } from '../../src/config/load.js';
import type { StatisticalModelConfig } from '../../src/config/types.js';
import type { Persona } from '../../src/data/personas.js';
import { hashtagsOf, topicTag } from '../../src/data/text-grammar.js';

const DEFAULTS = parseExperiment('name: t\ncohorts: [{name: a, count: 50, model: stat}]', 'x.yaml').models['stat'] as StatisticalModelConfig;

/** Default rates with overrides; `quiet` zeroes every probability so only the overrides act. */
function params(over: Partial<StatisticalModelConfig> = {}, quiet = false): StatisticalModelConfig {
  const zero = quiet
    ? {
        post_prob: 0,
        like_base: 0,
        repost_base: 0,
        follow_on_engage: 0,
        unlike_prob: 0,
        unfollow_prob: 0,
        reply_prob: 0,
        quote_prob: 0,
        bookmark_prob: 0,
        mute_prob: 0,
        dislike_base: 0,
        report_prob: 0,
        delete_prob: 0,
      }
    : {};
  return { ...DEFAULTS, ...zero, ...over };
}

function persona(userId: number, interests: readonly string[] = ['tech', 'music']): Persona {
  return {
    userId,
    username: `user_${userId}`,
    name: `User ${userId}`,
    bio: '',
    cohort: 'a',
    model: 'stat',
    interests,
    activity: 0.5,
    influence: 1,
  };
}

function post(postId: number, authorId: number, text = `hello #sports`, likes = 0, reposts = 0): PostView {
  return { postId, authorId, createdStep: 0, text, label: null, likes, reposts, dislikes: 0 };
}

function observation(feed: readonly PostView[], o: Partial<Omit<Observation, 'feed'>> = {}): Observation {
  return {
    step: 1,
    simTime: '2024-01-01T01:00:00.000Z',
    feed,
    followees: new Set(),
    liked: new Set(),
    reposted: new Set(),
    ...o,
  };
}

/** The policy's decisions as plain action lists. */
const decide = async (policy: AgentPolicy, step: number, reqs: DecisionRequest[]): Promise<AgentAction[][]> =>
  (await policy.decideAll(step, reqs)).map((d) => [...d.actions]);
const req = (p: Persona, obs: Observation): DecisionRequest => ({ persona: p, observation: obs });
const of = (actions: readonly AgentAction[], name: string): AgentAction[] => actions.filter((a) => a.action === name);
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => i + from);

describe('statistical policy', () => {
  it('when it decides then the policy is named statistical and returns one action list per request in order', async () => {
    const policy = createStatisticalPolicy(1, params({ like_base: 1 }, true));
    const feedA = [post(1, 50)];
    const feedB = [post(2, 51)];
    const out = await decide(policy, 1, [req(persona(0), observation(feedA)), req(persona(1), observation(feedB))]);
    expect(policy.name).toBe('statistical');
    expect(out).toHaveLength(2);
    expect(of(out[0]!, 'like')).toEqual([{ action: 'like', args: { post_id: 1 } }]);
    expect(of(out[1]!, 'like')).toEqual([{ action: 'like', args: { post_id: 2 } }]);
  });

  it('when agents are decided one at a time then each gets the decision decideAll gives it', async () => {
    const rates = params({ post_prob: 0.3, like_base: 0.4, repost_base: 0.2, follow_on_engage: 0.5, reply_prob: 0.2, bookmark_prob: 0.2, mute_prob: 0.1 });
    const feed = range(12).map((i) => post(i, 100 + i, i % 3 === 0 ? '#tech news' : i % 3 === 1 ? '#music and #tech' : 'no tag', i, i % 4));
    const requests = range(300).map((u) => req(persona(u, u % 2 === 0 ? ['tech', 'music'] : ['sports']), observation(feed, { liked: new Set([u % 12]) })));
    const together = await decide(createStatisticalPolicy(5, rates), 3, requests);
    const one = createStatisticalPolicy(5, rates);
    expect(requests.map((r) => [...one.decideOne!(3, r).actions])).toEqual(together);
  });

  it('when an agent decides then its first action is refresh', async () => {
    const policy = createStatisticalPolicy(3, params({ post_prob: 0.5, like_base: 0.5 }));
    const feed = range(10).map((i) => post(i, 100 + i));
    const requests = range(200).map((u) => req(persona(u), observation(feed, { liked: new Set([1]), followees: new Set([100]) })));
    const out = await decide(policy, 4, requests);
    for (const actions of out) expect(actions[0]).toEqual({ action: 'refresh', args: {} });
  });

  it('when every probability is zero then the agent refreshes and does nothing', async () => {
    const policy = createStatisticalPolicy(3, params({}, true));
    const feed = range(10).map((i) => post(i, 100 + i, '#tech #music', 1000, 1000));
    const obs = observation(feed, { liked: new Set([1, 2]), followees: new Set([100]), reposted: new Set([3]) });
    const out = await decide(policy, 1, range(50).map((u) => req(persona(u), obs)));
    for (const actions of out) expect(actions).toEqual([{ action: 'refresh', args: {} }, { action: 'do_nothing', args: {} }]);
  });

  it('when the feed is empty and the agent has no likes or followees then it does nothing even with all rates at 1', async () => {
    const policy = createStatisticalPolicy(3, params({ like_base: 1, repost_base: 1, follow_on_engage: 1, unlike_prob: 1, unfollow_prob: 1, post_prob: 0 }));
    const [actions] = await decide(policy, 1, [req(persona(0), observation([]))]);
    expect(actions).toEqual([{ action: 'refresh', args: {} }, { action: 'do_nothing', args: {} }]);
  });

  it('when the agent does something then do_nothing is not emitted', async () => {
    const policy = createStatisticalPolicy(3, params({ post_prob: 1 }, true));
    const out = await decide(policy, 1, range(20).map((u) => req(persona(u), observation([]))));
    for (const actions of out) {
      expect(of(actions, 'do_nothing')).toHaveLength(0);
      expect(of(actions, 'create_post')).toHaveLength(1);
    }
  });

  it('when a post is already liked or reposted then the agent never likes or reposts it again', async () => {
    const policy = createStatisticalPolicy(8, params({ like_base: 1, repost_base: 1, read_depth: 10 }));
    const feed = range(10).map((i) => post(i, 100 + i));
    const liked = new Set([0, 2, 4]);
    const reposted = new Set([1, 2, 7]);
    const out = await decide(policy, 2, range(100).map((u) => req(persona(u), observation(feed, { liked, reposted }))));
    for (const actions of out) {
      const likes = of(actions, 'like').map((a) => a.args['post_id']);
      const reposts = of(actions, 'repost').map((a) => a.args['post_id']);
      expect(likes).toEqual([1, 3, 5, 6, 7, 8, 9]);
      expect(reposts).toEqual([0, 3, 4, 5, 6, 8, 9]);
    }
  });

  it('when the feed holds the agent’s own posts then it never likes, reposts or follows from them', async () => {
    const policy = createStatisticalPolicy(8, params({ like_base: 1, repost_base: 1, follow_on_engage: 1, read_depth: 10 }));
    const out = await decide(policy, 
      2,
      range(50).map((u) => {
        // Posts 0..4 are the agent's own, 5..9 are someone else's.
        const feed = range(10).map((i) => post(i, i < 5 ? u : 1000 + i));
        return req(persona(u), observation(feed));
      }),
    );
    for (const [u, actions] of out.entries()) {
      expect(of(actions, 'like').map((a) => a.args['post_id'])).toEqual([5, 6, 7, 8, 9]);
      expect(of(actions, 'repost').map((a) => a.args['post_id'])).toEqual([5, 6, 7, 8, 9]);
      for (const f of of(actions, 'follow')) expect(f.args['user_id']).not.toBe(u);
    }
  });

  it('when read_depth is smaller than the feed then posts beyond it are never liked or reposted', async () => {
    const policy = createStatisticalPolicy(5, params({ like_base: 1, repost_base: 1, read_depth: 3 }, true));
    const feed = range(10).map((i) => post(i + 20, 100 + i));
    const out = await decide(policy, 1, range(100).map((u) => req(persona(u), observation(feed))));
    for (const actions of out) {
      expect(of(actions, 'like').map((a) => a.args['post_id'])).toEqual([20, 21, 22]);
      expect(of(actions, 'repost').map((a) => a.args['post_id'])).toEqual([20, 21, 22]);
    }
  });

  it('when read_depth is smaller than the feed and rates are realistic then no like ever lands beyond it', async () => {
    const policy = createStatisticalPolicy(5, params({ like_base: 0.3, read_depth: 4 }));
    const feed = range(20).map((i) => post(i, 100 + i, '#tech', 50));
    const out = await decide(policy, 9, range(500).map((u) => req(persona(u), observation(feed))));
    let likes = 0;
    for (const actions of out) {
      for (const a of of(actions, 'like')) {
        likes++;
        expect(a.args['post_id'] as number).toBeLessThan(4);
      }
    }
    expect(likes).toBeGreaterThan(0);
  });

  it('when the agent engages with posts by one author then it follows that author at most once', async () => {
    const policy = createStatisticalPolicy(5, params({ like_base: 1, follow_on_engage: 1 }, true));
    const feed = [post(1, 70), post(2, 70), post(3, 71), post(4, 72)];
    const [actions] = await decide(policy, 1, [req(persona(0), observation(feed, { followees: new Set([72]) }))]);
    expect(of(actions!, 'follow').map((a) => a.args['user_id'])).toEqual([70, 71]);
  });

  it('when a post matches the agent’s interests then the like rate is clearly higher than for an unmatched post', async () => {
    // Fresh ids per feed so the policy's topic cache cannot mix texts.
    const p = params({ like_base: 0.05, read_depth: 5 }, true);
    const agents = range(2000);
    const rate = async (text: string): Promise<number> => {
      const policy = createStatisticalPolicy(11, p);
      const feed = range(5).map((i) => post(i, 9000 + i, text));
      const out = await decide(policy, 3, agents.map((u) => req(persona(u, ['tech', 'music']), observation(feed))));
      return out.reduce((n, a) => n + of(a, 'like').length, 0) / (agents.length * feed.length);
    };
    const matched = await rate('Big news on chips #Tech');
    const unmatched = await rate('Big news on goals #sports');
    // Expected ratio 1 + topic_boost (2) = 3.
    expect(unmatched).toBeGreaterThan(0.02);
    expect(matched).toBeGreaterThan(1.5 * unmatched);
    expect(matched).toBeGreaterThan(0.1);
  });

  it('when interests are multi-word or capitalised then posts composed on them still match', async () => {
    const p = params({ like_base: 0.05, read_depth: 5 }, true);
    const agents = range(2000);
    const interests = ['Climate change', 'C++'];
    const rate = async (topic: string): Promise<number> => {
      const policy = createStatisticalPolicy(11, p);
      const text = `Thoughts on this #${topicTag(topic)}`;
      const feed = range(5).map((i) => post(i, 9000 + i, text));
      const out = await decide(policy, 3, agents.map((u) => req(persona(u, interests), observation(feed))));
      return out.reduce((n, a) => n + of(a, 'like').length, 0) / (agents.length * feed.length);
    };
    expect(topicTag('Climate change')).toBe('climate_change');
    expect(hashtagsOf(`x #${topicTag('C++')}`)).toEqual(['c_']);
    const matched = await rate('Climate change');
    const unmatched = await rate('gardening');
    expect(matched).toBeGreaterThan(1.5 * unmatched);
  });

  it('when a post matches two interests then it is liked more often than a post matching one', async () => {
    const p = params({ like_base: 0.05, read_depth: 5 }, true);
    const agents = range(2000);
    const rate = async (text: string): Promise<number> => {
      const policy = createStatisticalPolicy(12, p);
      const feed = range(5).map((i) => post(i, 9000 + i, text));
      const out = await decide(policy, 3, agents.map((u) => req(persona(u, ['tech', 'music']), observation(feed))));
      return out.reduce((n, a) => n + of(a, 'like').length, 0) / (agents.length * feed.length);
    };
    // Expected 0.25 vs 0.15.
    expect(await rate('#tech and #music')).toBeGreaterThan(1.3 * (await rate('#tech only')));
  });

  it('when a post already has 100 likes then it is liked clearly more often than one with none', async () => {
    const p = params({ like_base: 0.05, read_depth: 5 }, true);
    const agents = range(2000);
    const rate = async (likes: number): Promise<number> => {
      const policy = createStatisticalPolicy(13, p);
      const feed = range(5).map((i) => post(i, 9000 + i, '#sports', likes));
      const out = await decide(policy, 3, agents.map((u) => req(persona(u, ['tech']), observation(feed))));
      return out.reduce((n, a) => n + of(a, 'like').length, 0) / (agents.length * feed.length);
    };
    // Expected ratio 1 + 0.3 × ln(101) ≈ 2.38.
    const popular = await rate(100);
    const fresh = await rate(0);
    expect(fresh).toBeGreaterThan(0.02);
    expect(popular).toBeGreaterThan(1.5 * fresh);
  });

  it('when reposts are rare but the post is topical then the repost rate rises too', async () => {
    const p = params({ repost_base: 0.05, read_depth: 5 }, true);
    const agents = range(2000);
    const rate = async (text: string): Promise<number> => {
      const policy = createStatisticalPolicy(14, p);
      const feed = range(5).map((i) => post(i, 9000 + i, text));
      const out = await decide(policy, 3, agents.map((u) => req(persona(u, ['tech']), observation(feed))));
      return out.reduce((n, a) => n + of(a, 'repost').length, 0) / (agents.length * feed.length);
    };
    expect(await rate('#tech')).toBeGreaterThan(1.5 * (await rate('#sports')));
  });

  it('when the agent writes a post then it carries a #hashtag of one of its interests', async () => {
    const policy = createStatisticalPolicy(21, params({ post_prob: 1 }, true));
    const people = range(300).map((u) => persona(u, u % 2 === 0 ? ['climate', 'food'] : ['health']));
    const out = await decide(policy, 6, people.map((p) => req(p, observation([]))));
    const seen = new Set<string>();
    for (const [i, actions] of out.entries()) {
      const posts = of(actions, 'create_post');
      expect(posts).toHaveLength(1);
      const text = posts[0]!.args['text'] as string;
      const tags = hashtagsOf(text);
      const interests = people[i]!.interests;
      expect(tags.length).toBeGreaterThan(0);
      expect(tags.some((t) => interests.includes(t)), text).toBe(true);
      for (const t of tags) seen.add(t);
    }
    // Over many agents, each of the interests gets written about.
    expect([...seen].sort()).toEqual(['climate', 'food', 'health']);
  });

  it('when the persona has no interests then it never writes a post', async () => {
    const policy = createStatisticalPolicy(21, params({ post_prob: 1 }, true));
    const out = await decide(policy, 6, range(50).map((u) => req(persona(u, []), observation([]))));
    for (const actions of out) expect(of(actions, 'create_post')).toHaveLength(0);
  });

  it('when the agent unlikes or unfollows then it picks from what it liked and follows', async () => {
    const policy = createStatisticalPolicy(2, params({ unlike_prob: 1, unfollow_prob: 1 }, true));
    const liked = new Set([40, 10, 30]);
    const followees = new Set([7, 3]);
    const out = await decide(policy, 1, range(200).map((u) => req(persona(u), observation([], { liked, followees }))));
    const unliked = new Set<unknown>();
    for (const actions of out) {
      const ul = of(actions, 'unlike');
      const uf = of(actions, 'unfollow');
      expect(ul).toHaveLength(1);
      expect(uf).toHaveLength(1);
      expect(liked.has(ul[0]!.args['post_id'] as number)).toBe(true);
      expect(followees.has(uf[0]!.args['user_id'] as number)).toBe(true);
      unliked.add(ul[0]!.args['post_id']);
    }
    expect(unliked.size).toBe(3);
  });

  it('when the same seed, step and agent decide twice then the actions are identical, whatever the batch', async () => {
    const p = params({ post_prob: 0.3, like_base: 0.2, repost_base: 0.1, follow_on_engage: 0.5, unlike_prob: 0.2, unfollow_prob: 0.2 });
    const feed = range(10).map((i) => post(i, 100 + i, i % 2 ? '#tech' : '#sports', i * 3));
    const obs = observation(feed, { liked: new Set([50, 51]), followees: new Set([100, 101]) });
    const requests = range(100).map((u) => req(persona(u), obs));
    const a = await createStatisticalPolicy(42, p).decideAll(5, requests);
    const b = await createStatisticalPolicy(42, p).decideAll(5, requests);
    expect(b).toEqual(a);
    // Order and batch composition do not matter: agent 37 alone decides the same.
    const alone = await createStatisticalPolicy(42, p).decideAll(5, [requests[37]!]);
    expect(alone[0]).toEqual(a[37]);
    const reversed = await createStatisticalPolicy(42, p).decideAll(5, requests.slice().reverse());
    expect(reversed.slice().reverse()).toEqual(a);
  });

  it('when the step or the seed changes then the actions generally differ', async () => {
    const p = params({ post_prob: 0.3, like_base: 0.2, repost_base: 0.1, follow_on_engage: 0.5 });
    const feed = range(10).map((i) => post(i, 100 + i, '#tech'));
    const requests = range(100).map((u) => req(persona(u), observation(feed)));
    const a = await decide(createStatisticalPolicy(42, p), 5, requests);
    const otherStep = await decide(createStatisticalPolicy(42, p), 6, requests);
    const otherSeed = await decide(createStatisticalPolicy(43, p), 5, requests);
    const differing = (x: AgentAction[][]): number => x.filter((acts, i) => JSON.stringify(acts) !== JSON.stringify(a[i])).length;
    expect(differing(otherStep)).toBeGreaterThan(50);
    expect(differing(otherSeed)).toBeGreaterThan(50);
  });
});
