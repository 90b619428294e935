import { ChannelState } from '../state.js';
import { findLivePost, POST_ID } from './checks.js';
import { fail, ok, type ActionSpec } from './types.js';

const postArgs = { type: 'object', properties: { post_id: POST_ID }, required: ['post_id'], additionalProperties: false } as const;

export const like: ActionSpec<{ post_id: number }> = {
  name: 'like',
  description: 'Like a post.',
  parameters: postArgs,
  apply({ state, batch }, actor, { post_id }) {
    const found = findLivePost(state, post_id);
    if (typeof found === 'string') return fail(found);
    if (!ChannelState.addTo(state.likes, actor, post_id)) return fail(`already liked post ${post_id}`);
    batch.likes.add(actor, post_id);
    return ok();
  },
};

export const unlike: ActionSpec<{ post_id: number }> = {
  name: 'unlike',
  description: 'Take back your like of a post.',
  parameters: postArgs,
  apply({ state, batch }, actor, { post_id }) {
    if (!state.posts.has(post_id)) return fail(`post ${post_id} does not exist`);
    if (!ChannelState.removeFrom(state.likes, actor, post_id)) return fail(`post ${post_id} is not liked by you`);
    batch.likes.remove(actor, post_id);
    return ok();
  },
};
