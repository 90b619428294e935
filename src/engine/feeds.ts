/**
 * What each agent is shown at the start of a step: the recommender's feed, filtered, mixed
 * with its home timeline; and how much of it counts as seen once the agent has decided.
 */
import type { Decision } from '../agents/types.js';
import type { FeedSource, ShownFeed } from '../channel/batch.js';
import { ShownFeeds } from '../channel/shown-feeds.js';
import type { Channel } from '../channel/channel.js';
import type { HomeTimeline } from '../channel/home-timeline.js';
import type { ChannelSnapshot, PostView } from '../channel/snapshot.js';
import type { BrowseConfig } from '../config/types.js';
import { interleaveTakesFirst } from '../common/interleave.js';

/** An agent's feed as observed: posts in rank order, with where each came from. */
export interface ObservedFeed extends ShownFeed {
  readonly posts: readonly PostView[];
}

export interface FeedMix {
  readonly home: HomeTimeline | null;
  /** Slots the home timeline may fill (⌈home_timeline × feed_size⌉). */
  readonly homeSlots: number;
  readonly feedSize: number;
}

/** The step's feeds: what an agent observes, and what it was shown (kept for its impressions). */
export interface StepFeeds {
  /** The agent's feed with the posts' views. Not kept: a second call makes it again, the same. */
  readonly observe: (user: number) => ObservedFeed;
  /** The ids, sources and via of each feed `observe` gave, packed; the step marks the agents' impressions in it. */
  readonly shown: ShownFeeds;
}

/**
 * The feed each agent sees: the recommender's feed minus posts no longer candidates (deleted,
 * flagged, aged out of the window) and posts by users it muted, then — with a home timeline —
 * up to `homeSlots` of its followees' newest posts interleaved with the recommender's best
 * (which fills the rest up to the feed size). Filtering happens here, not in the recommenders,
 * so they stay simple. Agents handed the same feed array without a home timeline share one
 * result (popularity feeds), unless a mute changes theirs. Each agent's first feed is recorded
 * in `store` (packed, shown-feeds.ts) for the step's impressions; its post views (a copy per
 * post shown through a repost) die with the agent's decision, in the young generation.
 */
export function shownFeeds(channel: Channel, snapshot: ChannelSnapshot, mix: FeedMix, store: ShownFeeds = new ShownFeeds()): StepFeeds {
  const posts = snapshot.postsById;
  const bySource = new Map<readonly number[], ObservedFeed>();
  const recommended = (user: number): ObservedFeed => {
    const source = channel.feedOf(user);
    let common = bySource.get(source);
    if (!common) {
      const views = source.map((id) => posts.get(id)).filter((v): v is PostView => v !== undefined);
      common = plain(views);
      bySource.set(source, common);
    }
    const muted = channel.state.mutesOf(user);
    if (muted.size > 0 && common.posts.some((v) => muted.has(v.authorId))) return plain(common.posts.filter((v) => !muted.has(v.authorId)));
    return common;
  };
  const observe = (user: number): ObservedFeed => {
    let mine = recommended(user);
    if (mix.home && mix.homeSlots > 0) mine = withHome(mine, mix.home.of(user, mix.homeSlots), mix.feedSize);
    store.record(user, mine);
    return mine;
  };
  return { observe, shown: store };
}

function plain(views: readonly PostView[]): ObservedFeed {
  return { ids: views.map((v) => v.postId), posts: views, sources: null, via: null };
}

/** The home entries interleaved with the recommender's posts not among them, `feedSize` in all. */
function withHome(recommended: ObservedFeed, home: ReturnType<HomeTimeline['of']>, feedSize: number): ObservedFeed {
  if (home.length === 0) return recommended;
  const { ids: recIds, posts: recPosts } = recommended;
  // How many of the recommender's posts fill the rest: counted first, then taken in the merge
  // below, rather than copied to a list of their own for every active agent.
  const room = feedSize - home.length;
  let rest = 0;
  for (let j = 0; j < recIds.length && rest < room; j++) if (!inHome(home, recIds[j]!)) rest++;
  const n = home.length + rest;
  const ids: number[] = new Array(n);
  const posts: PostView[] = new Array(n);
  const sources: FeedSource[] = new Array(n);
  const via: (number | null)[] = new Array(n);
  let h = 0;
  let r = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    // Which list the slot takes from, so every prefix keeps the home share: interleave's rule,
    // inline (this runs for every active agent; interleave would want two arrays per agent).
    if (interleaveTakesFirst(h, r, home.length, rest)) {
      const e = home[h++]!;
      posts[i] = e.viaPostId === null ? e.post : throughRepost(e.post, e.followee, e.viaPostId);
      ids[i] = e.post.postId;
      sources[i] = 'home';
      via[i] = e.viaPostId;
    } else {
      while (inHome(home, recIds[j]!)) j++;
      posts[i] = recPosts[j]!;
      ids[i] = recIds[j++]!;
      r++;
      sources[i] = 'recsys';
      via[i] = null;
    }
  }
  return { ids, posts, sources, via };
}

/** The view shown through a followee's repost: the post's fields in their order, then who shared it. A literal, not a spread: one per shared post of every agent's feed. */
function throughRepost(p: PostView, sharedBy: number, viaPostId: number): PostView {
  return { postId: p.postId, authorId: p.authorId, createdStep: p.createdStep, text: p.text, label: p.label, likes: p.likes, reposts: p.reposts, dislikes: p.dislikes, sharedBy, viaPostId };
}

function inHome(home: ReturnType<HomeTimeline['of']>, postId: number): boolean {
  for (let i = 0; i < home.length; i++) if (home[i]!.post.postId === postId) return true;
  return false;
}

/**
 * How much of its feed an agent was shown this step: the whole filtered feed, or in browse
 * mode only the pages it reached (the first, plus one per next_page it asked for), and never
 * more than its decision says its prompts held.
 */
export function shownLength(feedLength: number, browse: BrowseConfig | undefined, decision: Decision | undefined): number {
  let upTo = feedLength;
  if (browse) {
    let pages = 1;
    for (const a of decision?.actions ?? []) if (a.action === 'next_page') pages++;
    upTo = Math.min(pages, browse.max_pages) * browse.page_size;
  }
  // An LLM prompt trimmed to fit the context showed fewer posts than the feed held.
  if (decision?.shown !== undefined) upTo = Math.min(upTo, decision.shown);
  return Math.min(upTo, feedLength);
}
