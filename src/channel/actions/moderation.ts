import { ChannelState } from '../state.js';
import { findLivePost, findOtherUser, POST_ID, USER_ID } from './checks.js';
import { fail, ok, type ActionSpec } from './types.js';

export const reportPost: ActionSpec<{ post_id: number; reason?: string }> = {
  name: 'report_post',
  description: 'Report a post that breaks the rules (spam, abuse, misinformation…). Posts reported by enough users are taken out of recommendations.',
  parameters: {
    type: 'object',
    properties: { post_id: POST_ID, reason: { type: 'string', maxLength: 500, description: 'Why the post is reported.' } },
    required: ['post_id'],
    additionalProperties: false,
  },
  apply({ state, batch }, actor, { post_id, reason }) {
    const found = findLivePost(state, post_id);
    if (typeof found === 'string') return fail(found);
    if (found.author === actor) return fail('cannot report your own post');
    if (!ChannelState.addTo(state.reportsBy, actor, post_id)) return fail(`already reported post ${post_id}`);
    ChannelState.addTo(state.reportsOfPost, post_id, actor);
    batch.reports.push({ userId: actor, postId: post_id, reason: reason ?? null });
    const reports = state.reportsOfPost.get(post_id)?.size ?? 0;
    if (!found.flagged && reports >= state.rules.reportThreshold) {
      state.markPost(found, post_id, 'flagged');
      batch.flagged.push(post_id);
    }
    return ok({ reports, flagged: found.flagged });
  },
};

export const hideReply: ActionSpec<{ post_id: number }> = {
  name: 'hide_reply',
  description: 'Hide a reply to one of your posts: it stays on the platform but is no longer listed or recommended.',
  parameters: { type: 'object', properties: { post_id: POST_ID }, required: ['post_id'], additionalProperties: false },
  apply({ state, batch }, actor, { post_id }) {
    const found = findLivePost(state, post_id);
    if (typeof found === 'string') return fail(found);
    if (found.kind !== 'comment' || found.parentId === null) return fail(`post ${post_id} is not a reply`);
    if (state.posts.get(found.parentId)?.author !== actor) return fail(`only the author of post ${found.parentId} can hide replies to it`);
    if (found.hidden) return fail(`reply ${post_id} is already hidden`);
    state.markPost(found, post_id, 'hidden');
    batch.hidden.push(post_id);
    return ok();
  },
};

const userArgs = { type: 'object', properties: { user_id: USER_ID }, required: ['user_id'], additionalProperties: false } as const;

export const mute: ActionSpec<{ user_id: number }> = {
  name: 'mute',
  description: "Mute a user: their posts no longer reach your feed or the timelines you read. They are not told.",
  parameters: userArgs,
  apply({ state, batch }, actor, { user_id }) {
    const problem = findOtherUser(state, actor, user_id, 'mute');
    if (problem) return fail(problem);
    if (!ChannelState.addTo(state.mutes, actor, user_id)) return fail(`already muting user ${user_id}`);
    batch.mutes.add(actor, user_id);
    return ok();
  },
};

export const unmute: ActionSpec<{ user_id: number }> = {
  name: 'unmute',
  description: 'Stop muting a user.',
  parameters: userArgs,
  apply({ state, batch }, actor, { user_id }) {
    if (!state.hasUser(user_id)) return fail(`user ${user_id} does not exist`);
    if (!ChannelState.removeFrom(state.mutes, actor, user_id)) return fail(`not muting user ${user_id}`);
    batch.mutes.remove(actor, user_id);
    return ok();
  },
};
