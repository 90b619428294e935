import { Rng } from '../common/rng.js';
import type { AgentAction } from '../channel/actions/types.js';
import type { StatisticalModelConfig } from '../config/types.js';
import type { ObservedMarks, PostView } from '../channel/snapshot.js';
import { composePost, composeReply } from '../data/text-grammar.js';
import { carries, InterestTags, matchCount } from './interest-tags.js';
import type { AgentPolicy, DecisionRequest, Observation } from './types.js';

/**
 * The built-in baseline agent, no GPU and no key. Per active step an agent:
 *  1. refreshes its feed and reads the top `read_depth` posts (in browse mode: page by page,
 *     engaging only with the posts it opens, see `browse` below);
 *  2. likes / reposts each with  p = base × (1 + topic_boost × m) × (1 + popularity_weight × ln(1 + n)),
 *     m = how many of its interests the post's #hashtags match (compared as `topicTag`s), n = likes + reposts so far;
 *     dislikes one it did not like with p = dislike_base × (1 + popularity_weight × ln(1 + n)) / (1 + topic_boost × m);
 *     a post whose label is in `distrust_labels` (default: disputed) has its like and repost
 *     probabilities multiplied by `distrust_factor` (default 0.2): a fact-check label works;
 *  3. follows the author of a post it engaged with, with probability `follow_on_engage`;
 *  4. writes a templated post on one of its interests with probability `post_prob`;
 *  5. with `reply_prob` / `quote_prob` / `bookmark_prob` replies to, quotes, bookmarks one read
 *     post (picked uniformly); with `report_prob` reports a read post matching none of its
 *     interests; with `mute_prob` mutes the author of a read post;
 *  6. rarely unlikes an earlier like, unfollows someone or deletes one of its posts
 *     (`unlike_prob`, `unfollow_prob`, `delete_prob`);
 *  7. records `do_nothing` if it did none of the above.
 * The newer behaviours (dislike onwards) draw nothing when their probability is 0.
 * Every draw comes from Rng.derive(seed, 'policy', step, agent), so the result does not
 * depend on batching or processing order.
 */
/** Ascending, so a pick does not depend on Set insertion order (which a resumed run rebuilds differently). */
function sorted(ids: Iterable<number>): number[] {
  return [...ids].sort((a, b) => a - b);
}

const NONE: ReadonlySet<number> = new Set();
const NO_MARKS: ReadonlyMap<number, number> = new Map();

/** What an Observation without marks (e.g. one a unit test builds) means: nothing marked. */
const NO_OWN_MARKS: ObservedMarks = { disliked: NONE, bookmarked: NO_MARKS, muted: NONE, reported: NONE, ownPosts: [] };

export function createStatisticalPolicy(seed: number, params: StatisticalModelConfig): AgentPolicy {
  const tags = new InterestTags();
  // The step's generators, Rng.derive(seed, 'policy', step, agent), keyed once per step.
  let rngStep = -1;
  let rngOf = Rng.deriver(seed, 'policy', rngStep);
  const distrustLabels = new Set(params.distrust_labels ?? ['disputed']);
  const distrustFactor = params.distrust_factor ?? 0.2;

  function decide(step: number, { persona, observation: obs }: DecisionRequest): AgentAction[] {
    tags.atStep(step);
    // Per agent, its interests' tag numbers in the order of persona.interests.
    const interests = persona.interests.map((i) => tags.interest(i));
    if (step !== rngStep) rngOf = Rng.deriver(seed, 'policy', (rngStep = step));
    const rng = rngOf(persona.userId);
    const actions: AgentAction[] = [{ action: 'refresh', args: {} }];
    const followedNow = new Set<number>();
    const marks = obs.marks ?? NO_OWN_MARKS;
    /**
     * Page by page: open each post with view_prob × (1 + topic_boost × m) and engage only with
     * opened ones; after a page, go on with next_page_base + next_page_relevance × (share of
     * the page matching an interest), else exit. The exit rating is 1 + 9 × the share of all
     * posts seen that matched an interest, rounded: satisfaction is relevance.
     */
    const browse = (
      feed: readonly PostView[],
      pages: NonNullable<Observation['browse']>,
      matchesOf: (p: PostView) => number,
      engage: (p: PostView, matches: number) => void,
    ): void => {
      const viewProb = params.view_prob ?? 0.3;
      const nextBase = params.next_page_base ?? 0.2;
      const nextRelevance = params.next_page_relevance ?? 0.7;
      let seen = 0;
      let relevantSeen = 0;
      for (let page = 0; page < pages.maxPages; page++) {
        const onPage = feed.slice(page * pages.pageSize, (page + 1) * pages.pageSize).filter((p) => p.authorId !== persona.userId);
        let relevant = 0;
        for (const post of onPage) {
          const matches = matchesOf(post);
          if (matches > 0) relevant++;
          if (rng.chance(Math.min(1, viewProb * (1 + params.topic_boost * matches)))) {
            actions.push({ action: 'view_post', args: { post_id: post.postId } });
            engage(post, matches);
          }
        }
        seen += onPage.length;
        relevantSeen += relevant;
        const more = feed.length > (page + 1) * pages.pageSize && page + 1 < pages.maxPages;
        const share = onPage.length > 0 ? relevant / onPage.length : 0;
        if (!more || !rng.chance(Math.min(1, nextBase + nextRelevance * share))) break;
        actions.push({ action: 'next_page', args: {} });
      }
      const rating = seen > 0 ? Math.round(1 + (9 * relevantSeen) / seen) : 1;
      actions.push({ action: 'exit_feed', args: { rating } });
    };
    const others: PostView[] = [];
    const offTopic: PostView[] = [];
    const matchesOf = (post: PostView): number => matchCount(tags.ofPost(post.postId, post.text), interests);
    const engage = (post: PostView, matches: number): void => {
      others.push(post);
      if (matches === 0) offTopic.push(post);
      const popularity = 1 + params.popularity_weight * Math.log1p(post.likes + post.reposts);
      const distrust = post.label !== null && distrustLabels.has(post.label) ? distrustFactor : 1;
      const boost = (1 + params.topic_boost * matches) * popularity * distrust;
      let engaged = false;
      let liked = false;
      if (!obs.liked.has(post.postId) && rng.chance(Math.min(1, params.like_base * boost))) {
        actions.push({ action: 'like', args: { post_id: post.postId } });
        engaged = liked = true;
      }
      if (
        params.dislike_base > 0 &&
        !liked &&
        !obs.liked.has(post.postId) &&
        !marks.disliked.has(post.postId) &&
        rng.chance(Math.min(1, (params.dislike_base * popularity) / (1 + params.topic_boost * matches)))
      ) {
        actions.push({ action: 'dislike', args: { post_id: post.postId } });
      }
      if (!obs.reposted.has(post.postId) && rng.chance(Math.min(1, params.repost_base * boost))) {
        actions.push({ action: 'repost', args: { post_id: post.postId } });
        engaged = true;
      }
      if (engaged && !obs.followees.has(post.authorId) && !followedNow.has(post.authorId) && rng.chance(params.follow_on_engage)) {
        actions.push({ action: 'follow', args: { user_id: post.authorId } });
        followedNow.add(post.authorId);
      }
    };
    if (obs.browse) {
      browse(obs.feed, obs.browse, matchesOf, engage);
    } else {
      const feed = obs.feed;
      const depth = Math.min(feed.length, params.read_depth);
      for (let i = 0; i < depth; i++) {
        const post = feed[i]!;
        if (post.authorId !== persona.userId) engage(post, matchesOf(post));
      }
    }
    if (persona.interests.length > 0 && rng.chance(params.post_prob)) {
      actions.push({ action: 'create_post', args: { text: composePost(rng, rng.pick(persona.interests)) } });
    }
    const topicOf = (post: PostView): string => {
      const postTags = tags.ofPost(post.postId, post.text);
      return persona.interests.find((_, k) => carries(postTags, interests[k]!)) ?? rng.pick(persona.interests);
    };
    if (others.length > 0 && persona.interests.length > 0) {
      if (params.reply_prob > 0 && rng.chance(params.reply_prob)) {
        const target = rng.pick(others);
        actions.push({ action: 'reply', args: { post_id: target.postId, text: composeReply(rng, topicOf(target)) } });
      }
      if (params.quote_prob > 0 && rng.chance(params.quote_prob)) {
        const target = rng.pick(others);
        actions.push({ action: 'quote_post', args: { post_id: target.postId, text: composeReply(rng, topicOf(target)) } });
      }
    }
    if (params.bookmark_prob > 0 && rng.chance(params.bookmark_prob)) {
      const candidates = others.filter((p) => !marks.bookmarked.has(p.postId));
      if (candidates.length > 0) actions.push({ action: 'bookmark', args: { post_id: rng.pick(candidates).postId } });
    }
    if (params.report_prob > 0 && rng.chance(params.report_prob)) {
      const candidates = offTopic.filter((p) => !marks.reported.has(p.postId));
      if (candidates.length > 0) actions.push({ action: 'report_post', args: { post_id: rng.pick(candidates).postId, reason: 'off-topic' } });
    }
    if (params.mute_prob > 0 && rng.chance(params.mute_prob)) {
      const authors = sorted(new Set(others.map((p) => p.authorId).filter((a) => !marks.muted.has(a))));
      if (authors.length > 0) actions.push({ action: 'mute', args: { user_id: rng.pick(authors) } });
    }
    if (obs.liked.size > 0 && rng.chance(params.unlike_prob)) {
      actions.push({ action: 'unlike', args: { post_id: rng.pick(sorted(obs.liked)) } });
    }
    if (obs.followees.size > 0 && rng.chance(params.unfollow_prob)) {
      actions.push({ action: 'unfollow', args: { user_id: rng.pick(sorted(obs.followees)) } });
    }
    if (params.delete_prob > 0 && marks.ownPosts.length > 0 && rng.chance(params.delete_prob)) {
      actions.push({ action: 'delete_post', args: { post_id: rng.pick(marks.ownPosts) } });
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
    decideOne: (step, request) => ({ actions: decide(step, request) }),
  };
}
