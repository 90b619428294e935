/**
 * The herding experiment (experiment.herding), after Muchnik, Aral & Taylor (Science 2013):
 * every new post an agent writes in the window is assigned by a seeded draw to arm up, down or
 * control, and the platform likes (up) or dislikes (down) it in the same step. The step
 * commits the post and its vote together, so the vote is already in the post's counts when
 * the post first reaches feeds (a post written in step k is visible from k+1) and no agent
 * ever sees an untreated treated post. analysis/herding.ts measures the outcome.
 */
import type { Observation } from '../agents/types.js';
import type { StepBatch } from '../channel/batch.js';
import type { Channel } from '../channel/channel.js';
import type { HerdingArm } from '../channel/herding.js';
import { Rng } from '../common/rng.js';
import type { Experiment, HerdingConfig } from '../config/types.js';
import { canonicalJson } from '../config/resolve.js';

/** What the analysis needs to know about the design, stored in `meta` under `herding`. */
export interface HerdingMeta extends HerdingConfig {
  /** Resolved: herding.horizon, or recsys.window. */
  readonly horizon: number;
}

/** The arm of `postId`: a pure function of seed and post id, or null when it is not enrolled (share). */
export function herdingArm(seed: number, config: HerdingConfig, postId: number): HerdingArm | null {
  const rng = Rng.derive(seed, 'herding', postId);
  const enrolled = rng.chance(config.share);
  const { up, down, control } = config.arms;
  const u = rng.next() * (up + down + control);
  if (!enrolled) return null;
  return u < up ? 'up' : u < up + down ? 'down' : 'control';
}

export class HerdingExperiment {
  private constructor(
    private readonly seed: number,
    private readonly config: HerdingConfig,
    private readonly channel: Channel,
  ) {}

  /** Null without a herding block; otherwise records the design in `meta` for the report. */
  static async start(exp: Experiment, channel: Channel): Promise<HerdingExperiment | null> {
    if (!exp.herding) return null;
    const meta: HerdingMeta = { ...exp.herding, horizon: exp.herding.horizon ?? exp.recsys.window };
    // Canonical (sorted keys): a resumed run reads its experiment back with keys in schema order.
    await channel.setMeta({ herding: canonicalJson(meta) });
    return new HerdingExperiment(exp.seed, exp.herding, channel);
  }

  /** Agents' observations with dislike counts shown: a down-vote an LLM agent could not see would test nothing. */
  observer<P>(base: (p: P) => Observation): (p: P) => Observation {
    return (p) => ({ ...base(p), showDislikes: true });
  }

  /**
   * After the step's actions are applied: assigns and treats the eligible posts written in
   * it — live originals and quotes by agents (not scripted accounts), in creation order.
   */
  treatNewPosts(batch: StepBatch): void {
    const { from_step, until_step } = this.config;
    if (batch.step < from_step || (until_step !== undefined && batch.step > until_step)) return;
    const state = this.channel.state;
    for (const p of batch.posts) {
      if (p.kind !== 'original' && p.kind !== 'quote') continue;
      if (state.users.get(p.authorId)?.kind !== 'agent' || state.posts.get(p.postId)?.deleted !== false) continue;
      const arm = herdingArm(this.seed, this.config, p.postId);
      if (arm !== null) this.channel.herdingTreat(batch, p.postId, arm);
    }
  }
}
