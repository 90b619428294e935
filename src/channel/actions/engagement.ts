import { PairDiff } from '../batch.js';
import { ChannelState } from '../state.js';
import { findLivePost, POST_ID } from './checks.js';
import { fail, ok, type ActionSpec, type ApplyContext } from './types.js';

const postArgs = { type: 'object', properties: { post_id: POST_ID }, required: ['post_id'], additionalProperties: false } as const;

/** A (user, post) mark that can be set once and taken back: likes and dislikes. */
function mark(name: string, description: string, pick: (ctx: ApplyContext) => [Map<number, Set<number>>, PairDiff], already: string): ActionSpec<{ post_id: number }> {
  return {
    name,
    description,
    parameters: postArgs,
    apply(ctx, actor, { post_id }) {
      const found = findLivePost(ctx.state, post_id);
      if (typeof found === 'string') return fail(found);
      const [set, diff] = pick(ctx);
      if (!ChannelState.addTo(set, actor, post_id)) return fail(`${already} post ${post_id}`);
      const restored = diff.add(actor, post_id);
      if (set === ctx.state.likes) ctx.state.engagement.like(actor, post_id, ctx.batch.step, restored);
      else ctx.state.engagement.dislike(post_id, 1);
      return ok();
    },
  };
}

function unmark(name: string, description: string, pick: (ctx: ApplyContext) => [Map<number, Set<number>>, PairDiff], missing: string): ActionSpec<{ post_id: number }> {
  return {
    name,
    description,
    parameters: postArgs,
    apply(ctx, actor, { post_id }) {
      if (!ctx.state.posts.has(post_id)) return fail(`post ${post_id} does not exist`);
      const [set, diff] = pick(ctx);
      if (!ChannelState.removeFrom(set, actor, post_id)) return fail(`post ${post_id} ${missing}`);
      diff.remove(actor, post_id);
      if (set === ctx.state.likes) ctx.state.engagement.unlike(actor, post_id, ctx.batch.step);
      else ctx.state.engagement.dislike(post_id, -1);
      return ok();
    },
  };
}

const likes = ({ state, batch }: ApplyContext): [Map<number, Set<number>>, PairDiff] => [state.likes, batch.likes];
const dislikes = ({ state, batch }: ApplyContext): [Map<number, Set<number>>, PairDiff] => [state.dislikes, batch.dislikes];

export const like = mark('like', 'Like a post.', likes, 'already liked');
export const unlike = unmark('unlike', 'Take back your like of a post.', likes, 'is not liked by you');
export const dislike = mark('dislike', 'Dislike a post (a signal to the platform; the author is not told).', dislikes, 'already disliked');
export const undoDislike = unmark('undo_dislike', 'Take back your dislike of a post.', dislikes, 'is not disliked by you');

export const bookmark: ActionSpec<{ post_id: number }> = {
  name: 'bookmark',
  description: 'Save a post privately to read later.',
  parameters: postArgs,
  apply({ state, batch }, actor, { post_id }) {
    const found = findLivePost(state, post_id);
    if (typeof found === 'string') return fail(found);
    let mine = state.bookmarks.get(actor);
    if (!mine) state.bookmarks.set(actor, (mine = new Map()));
    if (mine.has(post_id)) return fail(`already bookmarked post ${post_id}`);
    // Removed and re-added in one step: the old row stays, and so does its step.
    const restored = batch.bookmarks.add(actor, post_id);
    mine.set(post_id, restored ? (batch.removedBookmarkSteps.get(PairDiff.key(actor, post_id)) ?? batch.step) : batch.step);
    return ok();
  },
};

export const unbookmark: ActionSpec<{ post_id: number }> = {
  name: 'unbookmark',
  description: 'Remove a post from your bookmarks.',
  parameters: postArgs,
  apply({ state, batch }, actor, { post_id }) {
    if (!state.posts.has(post_id)) return fail(`post ${post_id} does not exist`);
    const mine = state.bookmarks.get(actor);
    const step = mine?.get(post_id);
    if (!mine || step === undefined) return fail(`post ${post_id} is not bookmarked by you`);
    mine.delete(post_id);
    // A bookmark made earlier than this step has a row to delete; remember its step.
    const key = PairDiff.key(actor, post_id);
    if (!batch.bookmarks.added.has(key)) batch.removedBookmarkSteps.set(key, step);
    batch.bookmarks.remove(actor, post_id);
    return ok();
  },
};
