import type { Exposure } from '../batch.js';
import type { PostKind } from '../state.js';
import { ChannelState } from '../state.js';
import { findLivePost, POST_ID } from './checks.js';
import { fail, ok, type ActionSpec, type ApplyContext } from './types.js';

export interface CreatePostArgs {
  text: string;
  /** Carried into posts.label; scripted accounts use it to mark e.g. misinformation. */
  label?: string;
}

const TEXT = { type: 'string', minLength: 1, maxLength: 2000, description: 'The text of the post.' } as const;

function newPost(ctx: ApplyContext, author: number, text: string, kind: PostKind, parentId: number | null, label: string | null, via: Exposure | null = null): number {
  const { state, batch } = ctx;
  const postId = state.nextPostId++;
  if (label === null && kind !== 'repost') label = state.accountLabels.get(author) ?? null;
  // Originals and quotes start a thread; a comment joins its parent's; a repost is in none.
  const rootId = kind === 'repost' ? null : kind === 'comment' && parentId !== null ? (state.posts.get(parentId)?.rootId ?? parentId) : postId;
  state.addPost(postId, { author, kind, parentId, rootId, createdStep: batch.step, text, label });
  batch.posts.push({ postId, authorId: author, text, kind, parentId, rootId, label, via });
  return postId;
}

export const createPost: ActionSpec<CreatePostArgs> = {
  name: 'create_post',
  description: 'Publish a new post with the given text.',
  parameters: {
    type: 'object',
    properties: { text: TEXT, label: { type: 'string', maxLength: 64 } },
    required: ['text'],
    additionalProperties: false,
  },
  apply(ctx, actor, args) {
    if (args.text.trim() === '') return fail('a post needs some text');
    return ok({ post_id: newPost(ctx, actor, args.text, 'original', null, args.label ?? null) });
  },
};

/** The post a repost points at; any other post is its own source. */
const sourceOf = (postId: number, kind: PostKind, parentId: number | null): number => (kind === 'repost' && parentId !== null ? parentId : postId);

/**
 * How `actor` came to the post it answers or shares (`named` as it gave it, `source` the post
 * that resolves to): the impression of this step that showed it, and the post it was shown as.
 * Naming a repost means acting through it, whatever showed it; a post shown through a
 * followee's repost (home timeline) was seen as that repost. This is the cascade's true edge.
 */
function exposureOf(ctx: ApplyContext, actor: number, named: number, source: number): Exposure {
  const seen = ctx.batch.seenAs(actor, named) ?? (named !== source ? ctx.batch.seenAs(actor, source) : null);
  if (named !== source) return { source: seen?.source ?? null, viaPostId: named };
  return seen ?? { source: null, viaPostId: source };
}

export const repost: ActionSpec<{ post_id: number }> = {
  name: 'repost',
  description: 'Share a post with your followers. Reposting a repost shares the original post.',
  parameters: { type: 'object', properties: { post_id: POST_ID }, required: ['post_id'], additionalProperties: false },
  apply(ctx, actor, args) {
    const found = findLivePost(ctx.state, args.post_id);
    if (typeof found === 'string') return fail(found);
    const original = sourceOf(args.post_id, found.kind, found.parentId);
    if (ctx.state.repostsOf(actor).has(original)) return fail(`already reposted post ${original}`);
    ChannelState.addTo(ctx.state.reposts, actor, original);
    const repostId = newPost(ctx, actor, '', 'repost', original, null, exposureOf(ctx, actor, args.post_id, original));
    ctx.batch.reposts.push({ userId: actor, postId: original, repostId });
    ctx.state.engagement.repost(original, ctx.batch.step);
    return ok({ post_id: repostId, original_id: original });
  },
};

const textArgs = { type: 'object', properties: { post_id: POST_ID, text: TEXT }, required: ['post_id', 'text'], additionalProperties: false } as const;

function answer(kind: 'quote' | 'comment') {
  return (ctx: ApplyContext, actor: number, args: { post_id: number; text: string }) => {
    const found = findLivePost(ctx.state, args.post_id);
    if (typeof found === 'string') return fail(found);
    if (args.text.trim() === '') return fail('a post needs some text');
    const parent = sourceOf(args.post_id, found.kind, found.parentId);
    return ok({ post_id: newPost(ctx, actor, args.text, kind, parent, null, exposureOf(ctx, actor, args.post_id, parent)), parent_id: parent });
  };
}

export const quotePost: ActionSpec<{ post_id: number; text: string }> = {
  name: 'quote_post',
  description: 'Share a post with your own comment on top (a quote post). Quoting a repost quotes the original.',
  parameters: textArgs,
  apply: answer('quote'),
};

export const reply: ActionSpec<{ post_id: number; text: string }> = {
  name: 'reply',
  description: "Reply to a post (or to a reply) in its thread. Replying to a repost replies to the original.",
  parameters: textArgs,
  apply: answer('comment'),
};

const postArgs = { type: 'object', properties: { post_id: POST_ID }, required: ['post_id'], additionalProperties: false } as const;

export const deletePost: ActionSpec<{ post_id: number }> = {
  name: 'delete_post',
  description: 'Delete one of your own posts: it disappears from feeds and timelines.',
  parameters: postArgs,
  apply({ state, batch }, actor, { post_id }) {
    const found = findLivePost(state, post_id);
    if (typeof found === 'string') return fail(found);
    if (found.author !== actor) return fail(`only the author can delete post ${post_id}`);
    if (found.kind === 'repost') return fail(`post ${post_id} is a repost and cannot be deleted`);
    state.markPost(found, post_id, 'deleted');
    batch.deleted.push(post_id);
    if (state.pins.get(actor) === post_id) {
      state.pins.delete(actor);
      batch.pins.set(actor, null);
    }
    return ok();
  },
};

export const pinPost: ActionSpec<{ post_id: number }> = {
  name: 'pin_post',
  description: 'Pin one of your own posts to the top of your timeline; it replaces the post pinned before.',
  parameters: postArgs,
  apply({ state, batch }, actor, { post_id }) {
    const found = findLivePost(state, post_id);
    if (typeof found === 'string') return fail(found);
    if (found.author !== actor) return fail(`only the author can pin post ${post_id}`);
    if (found.kind === 'repost') return fail(`post ${post_id} is a repost and cannot be pinned`);
    const before = state.pins.get(actor) ?? null;
    if (before === post_id) return fail(`post ${post_id} is already pinned`);
    state.pins.set(actor, post_id);
    batch.pins.set(actor, post_id);
    return ok({ post_id, replaced: before });
  },
};
