import type { StepBatch } from '../channel/batch.js';
import type { Channel } from '../channel/channel.js';
import type { PlatformIntervention } from '../channel/interventions.js';
import { recordIntervention } from '../channel/interventions.js';
import type { Experiment, InterventionConfig, PostTarget, RecsysConfig } from '../config/types.js';

/**
 * The recommender settings in force at `step`: the experiment's, or those of the last
 * set_recsys intervention at or before it (complete blocks: the loader filled them in).
 * A pure function of the experiment, so a resumed run picks up where the original was.
 */
export function recsysAt(exp: Experiment, step: number): RecsysConfig {
  let current = exp.recsys;
  let since = -1;
  for (const iv of exp.interventions ?? []) {
    if (iv.action === 'set_recsys' && iv.at <= step && iv.at >= since) {
      current = iv.recsys as RecsysConfig;
      since = iv.at;
    }
  }
  return current;
}

/**
 * Carries out the platform interventions of `step` (before the step's snapshot, so a deleted
 * post leaves this step's feeds), in the order written. Returns whether a set_recsys takes
 * effect now. Targets that cannot be found are recorded as refused, never thrown.
 */
export function applyInterventions(exp: Experiment, step: number, channel: Channel, batch: StepBatch, seedIds: readonly number[]): boolean {
  let recsysChanged = false;
  const seedId = (name: string): number | undefined => {
    const i = exp.seeds.findIndex((s) => s.name === name);
    return i < 0 ? undefined : seedIds[i];
  };
  for (const iv of exp.interventions ?? []) {
    if (iv.at !== step) continue;
    const detail = JSON.stringify(iv);
    if (iv.action === 'set_recsys') {
      recordIntervention(batch, iv.action, detail, null);
      recsysChanged = true;
      continue;
    }
    const resolved = resolve(iv, channel, seedId);
    if (typeof resolved === 'string') recordIntervention(batch, iv.action, detail, resolved);
    else channel.intervene(batch, resolved, detail);
  }
  return recsysChanged;
}

/** The post ids the interventions of `step` name outright (post_id), for the memory window (channel/window.ts). */
export function interventionPosts(exp: Experiment, step: number): number[] {
  return (exp.interventions ?? []).flatMap((iv) => (iv.at === step && iv.action !== 'set_recsys' && iv.action !== 'suspend_account' && iv.post_id !== undefined ? [iv.post_id] : []));
}

function resolve(iv: Exclude<InterventionConfig, { action: 'set_recsys' }>, channel: Channel, seedId: (name: string) => number | undefined): PlatformIntervention | string {
  if (iv.action === 'suspend_account') {
    const userId = iv.user_id ?? (iv.account !== undefined ? seedId(iv.account) : undefined);
    return userId === undefined ? `no account to suspend` : { action: iv.action, userId };
  }
  const postId = postOf(iv, channel, seedId);
  if (typeof postId === 'string') return postId;
  return iv.action === 'label_post' ? { action: iv.action, postId, label: iv.label } : { action: iv.action, postId };
}

function postOf(target: PostTarget, channel: Channel, seedId: (name: string) => number | undefined): number | string {
  if (target.post_id !== undefined) return target.post_id;
  const ref = target.post;
  if (!ref) return 'no post given';
  const author = seedId(ref.seed);
  const id = author === undefined ? undefined : channel.postOf(author, ref.at, ref.index ?? 0);
  return id ?? `seed "${ref.seed}" has no post from step ${ref.at} (index ${ref.index ?? 0}); was it refused or deleted?`;
}
