import { findLivePost, POST_ID } from './checks.js';
import { fail, ok, type ActionSpec } from './types.js';

/**
 * Browse mode (`browse:` in the experiment): reading the feed page by page. These actions
 * change nothing on the platform; their trace rows are what the recommender evaluation
 * (P_view, N_exit, S_sat) is computed from, so they validate like any other action.
 */
export const viewPost: ActionSpec<{ post_id: number }> = {
  name: 'view_post',
  description: 'Open a post from your feed to read it in full (counts as a view).',
  parameters: { type: 'object', properties: { post_id: POST_ID }, required: ['post_id'], additionalProperties: false },
  apply({ state }, _actor, { post_id }) {
    const post = findLivePost(state, post_id);
    if (typeof post === 'string') return fail(post);
    return ok({ post_id });
  },
};

export const nextPage: ActionSpec = {
  name: 'next_page',
  description: 'Ask for the next page of your feed.',
  parameters: { type: 'object', properties: {}, additionalProperties: false },
  apply() {
    return ok();
  },
};

export const exitFeed: ActionSpec<{ rating: number }> = {
  name: 'exit_feed',
  description: 'Stop reading your feed, rating how satisfied you are with what it showed you (1 = not at all, 10 = completely).',
  parameters: {
    type: 'object',
    properties: { rating: { type: 'integer', minimum: 1, maximum: 10, description: 'Satisfaction with the feed, 1-10.' } },
    required: ['rating'],
    additionalProperties: false,
  },
  apply(_ctx, _actor, { rating }) {
    return ok({ rating });
  },
};
