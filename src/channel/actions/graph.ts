import { ChannelState } from '../state.js';
import { findOtherUser, USER_ID } from './checks.js';
import { fail, ok, type ActionSpec } from './types.js';

const userArgs = { type: 'object', properties: { user_id: USER_ID }, required: ['user_id'], additionalProperties: false } as const;

export const follow: ActionSpec<{ user_id: number }> = {
  name: 'follow',
  description: "Follow a user so their posts can reach your feed.",
  parameters: userArgs,
  apply({ state, batch }, actor, { user_id }) {
    const problem = findOtherUser(state, actor, user_id, 'follow');
    if (problem) return fail(problem);
    if (!ChannelState.addTo(state.follows, actor, user_id)) return fail(`already following user ${user_id}`);
    batch.follows.add(actor, user_id);
    return ok();
  },
};

export const unfollow: ActionSpec<{ user_id: number }> = {
  name: 'unfollow',
  description: 'Stop following a user.',
  parameters: userArgs,
  apply({ state, batch }, actor, { user_id }) {
    if (!state.hasUser(user_id)) return fail(`user ${user_id} does not exist`);
    if (!ChannelState.removeFrom(state.follows, actor, user_id)) return fail(`not following user ${user_id}`);
    batch.follows.remove(actor, user_id);
    return ok();
  },
};
