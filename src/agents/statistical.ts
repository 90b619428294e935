import { Rng } from '../common/rng.js';
import type { AgentAction } from '../channel/actions/types.js';
import type { StatisticalModelConfig } from '../config/types.js';
import { composePost, hashtagsOf, topicTag } from '../data/text-grammar.js';
import type { AgentPolicy, DecisionRequest } from './types.js';

/**
 * The built-in baseline agent, no GPU and no key. Per active step an agent:
 *  1. refreshes its feed and reads the top `read_depth` posts;
 *  2. likes / reposts each with  p = base × (1 + topic_boost × m) × (1 + popularity_weight × ln(1 + n)),
 *     m = how many of its interests the post's #hashtags match (compared as `topicTag`s), n = likes + reposts so far;
 *  3. follows the author of a post it engaged with, with probability `follow_on_engage`;
 *  4. writes a templated post on one of its interests with probability `post_prob`;
 *  5. rarely unlikes an earlier like or unfollows someone (`unlike_prob`, `unfollow_prob`);
 *  6. records `do_nothing` if it did none of the above.
 * Every draw comes from Rng.derive(seed, 'policy', step, agent), so the result does not
 * depend on batching or processing order.
 */
/** Ascending, so a pick does not depend on Set insertion order (which a resumed run rebuilds differently). */
function sorted(ids: ReadonlySet<number>): number[] {
  return [...ids].sort((a, b) => a - b);
}

export function createStatisticalPolicy(seed: number, params: StatisticalModelConfig): AgentPolicy {
  // Two generations: tags of posts seen this step and the last. Posts that left every feed drop
  // out, so the cache stays the size of the candidate window, not of the run.
  let tagsNow = new Map<number, readonly string[]>();
  let tagsBefore = new Map<number, readonly string[]>();
  let cacheStep = -1;
  const tagsOf = (postId: number, text: string): readonly string[] => {
    let t = tagsNow.get(postId) ?? tagsBefore.get(postId);
    if (!t) t = hashtagsOf(text);
    tagsNow.set(postId, t);
    return t;
  };
  const interestTags = new Map<number, readonly string[]>();

  function decide(step: number, { persona, observation: obs }: DecisionRequest): AgentAction[] {
    if (step !== cacheStep) {
      [tagsBefore, tagsNow, cacheStep] = [tagsNow, new Map(), step];
    }
    let interests = interestTags.get(persona.userId);
    if (!interests) interestTags.set(persona.userId, (interests = persona.interests.map(topicTag)));
    const rng = Rng.derive(seed, 'policy', step, persona.userId);
    const actions: AgentAction[] = [{ action: 'refresh', args: {} }];
    const followedNow = new Set<number>();
    const read = obs.feed.slice(0, params.read_depth);
    for (const post of read) {
      if (post.authorId === persona.userId) continue;
      const tags = tagsOf(post.postId, post.text);
      let matches = 0;
      for (const interest of interests) if (tags.includes(interest)) matches++;
      const boost = (1 + params.topic_boost * matches) * (1 + params.popularity_weight * Math.log1p(post.likes + post.reposts));
      let engaged = false;
      if (!obs.liked.has(post.postId) && rng.chance(Math.min(1, params.like_base * boost))) {
        actions.push({ action: 'like', args: { post_id: post.postId } });
        engaged = true;
      }
      if (!obs.reposted.has(post.postId) && rng.chance(Math.min(1, params.repost_base * boost))) {
        actions.push({ action: 'repost', args: { post_id: post.postId } });
        engaged = true;
      }
      if (engaged && !obs.followees.has(post.authorId) && !followedNow.has(post.authorId) && rng.chance(params.follow_on_engage)) {
        actions.push({ action: 'follow', args: { user_id: post.authorId } });
        followedNow.add(post.authorId);
      }
    }
    if (persona.interests.length > 0 && rng.chance(params.post_prob)) {
      actions.push({ action: 'create_post', args: { text: composePost(rng, rng.pick(persona.interests)) } });
    }
    if (obs.liked.size > 0 && rng.chance(params.unlike_prob)) {
      actions.push({ action: 'unlike', args: { post_id: rng.pick(sorted(obs.liked)) } });
    }
    if (obs.followees.size > 0 && rng.chance(params.unfollow_prob)) {
      actions.push({ action: 'unfollow', args: { user_id: rng.pick(sorted(obs.followees)) } });
    }
    if (actions.length === 1) actions.push({ action: 'do_nothing', args: {} });
    return actions;
  }

  return {
    name: 'statistical',
    wantsContext: false,
    async decideAll(step, requests) {
      return requests.map((r) => ({ actions: decide(step, r) }));
    },
  };
}
