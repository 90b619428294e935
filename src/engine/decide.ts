/**
 * The decide phase's two halves: what each active agent observes at the start of a step, and
 * its cohort's policy's decision on it.
 */
import type { AgentPolicy, Decision, DecisionRequest, Observation } from '../agents/types.js';
import type { Channel } from '../channel/channel.js';
import { withPreviousPosts } from '../channel/context.js';
import type { BrowseConfig } from '../config/types.js';
import type { Persona } from '../data/personas.js';
import type { ObservedFeed } from './feeds.js';
import { LazyMarks } from './observed-marks.js';

/** What an agent sees at the start of `step`: its filtered feed and its own relations. */
export function observerAt(
  channel: Channel,
  observeFeed: (user: number) => ObservedFeed,
  step: number,
  simTime: string,
  browseConfig: BrowseConfig | undefined,
): (p: Persona) => Observation {
  const state = channel.state;
  const browse = browseConfig && { pageSize: browseConfig.page_size, maxPages: browseConfig.max_pages };
  return (p) => {
    const feed = observeFeed(p.userId).posts;
    return {
      step,
      simTime,
      feed: browse ? feed.slice(0, browse.pageSize * browse.maxPages) : feed,
      ...(browse ? { browse } : {}),
      followees: state.followeesOf(p.userId),
      liked: state.likesOf(p.userId),
      reposted: state.repostsOf(p.userId),
      marks: new LazyMarks(state, p.userId),
    };
  };
}

/**
 * Groups the active agents by cohort, asks each cohort's policy (concurrently: LLM cohorts on
 * different models overlap), and restores agent order. Policies that want notifications and
 * memory get them from one set query over all their agents.
 */
export async function decideByCohort(
  step: number,
  active: readonly Persona[],
  observe: (p: Persona) => Observation,
  policies: ReadonlyMap<string, AgentPolicy>,
  channel: Channel,
): Promise<Decision[]> {
  const byCohort = new Map<string, number[]>();
  active.forEach((p, i) => (byCohort.get(p.cohort) ?? byCohort.set(p.cohort, []).get(p.cohort)!).push(i));
  const out: Decision[] = new Array(active.length);
  const jobs: Promise<void>[] = [];
  for (const [cohort, indices] of byCohort) {
    const policy = policies.get(cohort);
    if (!policy) throw new Error(`no policy for cohort "${cohort}"`);
    if (policy.decideOne && !policy.wantsContext) {
      for (const i of indices) {
        const persona = active[i] as Persona;
        out[i] = policy.decideOne(step, { persona, observation: observe(persona) });
      }
      continue;
    }
    const contexts = policy.wantsContext
      ? await channel.agentContexts(indices.map((i) => (active[i] as Persona).userId), policy.memorySize ?? 0)
      : null;
    const requests: DecisionRequest[] = indices.map((i) => {
      const persona = active[i] as Persona;
      const observation = observe(persona);
      if (!contexts) return { persona, observation };
      const ctx = contexts.get(persona.userId);
      const authors = new Map(observation.feed.flatMap((p) => [p.authorId, ...(p.sharedBy !== undefined ? [p.sharedBy] : [])]).map((u) => [u, channel.usernameOf(u)]));
      const memory = withPreviousPosts(ctx?.memory ?? [], persona.dataset?.previousPosts, policy.memorySize ?? 0);
      return { persona, observation: { ...observation, notifications: ctx?.notifications ?? [], memory, authors } };
    });
    jobs.push(
      policy.decideAll(step, requests).then((decisions) => {
        indices.forEach((i, k) => (out[i] = decisions[k] ?? { actions: [] }));
      }),
    );
  }
  await Promise.all(jobs);
  return out;
}
