import type { ChannelState, PostRecord } from '../state.js';

/** Shared rule checks: each returns an error message, or the record when the rule holds. */
export function findLivePost(state: ChannelState, postId: number): PostRecord | string {
  const post = state.posts.get(postId);
  if (!post) return `post ${postId} does not exist`;
  if (post.deleted) return `post ${postId} was deleted`;
  return post;
}

/** `verb` names the action in the self-targeting error, e.g. "cannot follow yourself". */
export function findOtherUser(state: ChannelState, actor: number, userId: number, verb: string): string | null {
  if (!state.hasUser(userId)) return `user ${userId} does not exist`;
  if (userId === actor) return `cannot ${verb} yourself`;
  return null;
}

export const POST_ID = { type: 'integer', minimum: 1, description: 'Id of the post.' } as const;
export const USER_ID = { type: 'integer', minimum: 0, description: 'Id of the user.' } as const;
