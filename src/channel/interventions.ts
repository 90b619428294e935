/**
 * The experimenter's hand on the platform (experiment.interventions): relabel or remove a post,
 * suspend an account. Unlike agent actions these pass no author check; each is recorded in the
 * `interventions` table, applied or refused with the reason, and never throws.
 */
import type { StepBatch } from './batch.js';
import type { ChannelState } from './state.js';

export type PlatformIntervention =
  | { readonly action: 'label_post'; readonly postId: number; readonly label: string }
  | { readonly action: 'delete_post'; readonly postId: number }
  | { readonly action: 'suspend_account'; readonly userId: number };

export function intervene(state: ChannelState, batch: StepBatch, iv: PlatformIntervention, detail: string): { ok: boolean; error: string | null } {
  const outcome = apply(state, batch, iv);
  const target = String(iv.action === 'suspend_account' ? iv.userId : iv.postId);
  batch.interventions.push({ action: iv.action, target, detail, ok: outcome === null, error: outcome });
  return { ok: outcome === null, error: outcome };
}

function apply(state: ChannelState, batch: StepBatch, iv: PlatformIntervention): string | null {
  if (iv.action === 'suspend_account') {
    if (!state.hasUser(iv.userId)) return `user ${iv.userId} does not exist`;
    if (state.suspended.has(iv.userId)) return `account ${iv.userId} is already suspended`;
    state.suspend(iv.userId);
    return null;
  }
  const post = state.posts.get(iv.postId);
  if (!post) return `post ${iv.postId} does not exist`;
  if (post.deleted) return `post ${iv.postId} was deleted`;
  if (iv.action === 'label_post') {
    post.label = iv.label;
    batch.relabelled.set(iv.postId, iv.label);
    return null;
  }
  state.markPost(post, iv.postId, 'deleted');
  batch.deleted.push(iv.postId);
  if (state.pins.get(post.author) === iv.postId) {
    state.pins.delete(post.author);
    batch.pins.set(post.author, null);
  }
  return null;
}

/** Records an intervention that needs no platform change (set_recsys) or could not be resolved. */
export function recordIntervention(batch: StepBatch, action: string, detail: string, error: string | null): void {
  batch.interventions.push({ action, target: null, detail, ok: error === null, error });
}
