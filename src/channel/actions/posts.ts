import { ChannelState } from '../state.js';
import { findLivePost, POST_ID } from './checks.js';
import { fail, ok, type ActionSpec, type ApplyContext } from './types.js';

export interface CreatePostArgs {
  text: string;
  /** Carried into posts.label; scripted accounts use it to mark e.g. misinformation. */
  label?: string;
}

function newPost(ctx: ApplyContext, author: number, text: string, kind: 'original' | 'repost', parentId: number | null, label: string | null): number {
  const { state, batch } = ctx;
  const postId = state.nextPostId++;
  state.addPost(postId, { author, kind, parentId, createdStep: batch.step, text, label });
  batch.posts.push({ postId, authorId: author, text, kind, parentId, label });
  return postId;
}

export const createPost: ActionSpec<CreatePostArgs> = {
  name: 'create_post',
  description: 'Publish a new post with the given text.',
  parameters: {
    type: 'object',
    properties: {
      text: { type: 'string', minLength: 1, maxLength: 2000, description: 'The text of the post.' },
      label: { type: 'string', maxLength: 64 },
    },
    required: ['text'],
    additionalProperties: false,
  },
  apply(ctx, actor, args) {
    if (args.text.trim() === '') return fail('a post needs some text');
    return ok({ post_id: newPost(ctx, actor, args.text, 'original', null, args.label ?? null) });
  },
};

export const repost: ActionSpec<{ post_id: number }> = {
  name: 'repost',
  description: 'Share a post with your followers. Reposting a repost shares the original post.',
  parameters: { type: 'object', properties: { post_id: POST_ID }, required: ['post_id'], additionalProperties: false },
  apply(ctx, actor, args) {
    const found = findLivePost(ctx.state, args.post_id);
    if (typeof found === 'string') return fail(found);
    const original = found.kind === 'repost' && found.parentId !== null ? found.parentId : args.post_id;
    if (ctx.state.repostsOf(actor).has(original)) return fail(`already reposted post ${original}`);
    ChannelState.addTo(ctx.state.reposts, actor, original);
    const repostId = newPost(ctx, actor, '', 'repost', original, null);
    ctx.batch.reposts.push({ userId: actor, postId: original, repostId });
    return ok({ post_id: repostId, original_id: original });
  },
};
