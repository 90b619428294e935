import type { AgentPolicy, DecisionRequest, Observation } from '../agents/types.js';
import type { AgentAction } from '../channel/actions/types.js';
import type { Channel, StepSummary } from '../channel/channel.js';
import type { PostView } from '../channel/snapshot.js';
import type { Experiment } from '../config/types.js';
import type { Persona } from '../data/personas.js';
import type { Recommender } from '../recsys/types.js';
import { activeAgents, hourlyMultipliers } from './activation.js';
import { SimClock } from './clock.js';
import { initialDataset, type Population } from './setup.js';

export interface StepReport extends StepSummary {
  readonly step: number;
  readonly simTime: string;
  readonly activeAgents: number;
  readonly wallMs: number;
  /** Wall milliseconds per phase, for benchmarks and events.jsonl. */
  readonly phases: StepPhases;
}

export interface StepPhases {
  snapshot: number;
  recsys: number;
  decide: number;
  apply: number;
  commit: number;
}

export interface SimulationParts {
  readonly experiment: Experiment;
  readonly channel: Channel;
  readonly population: Population;
  readonly recommender: Recommender;
  /** The policy of each agent, by cohort name. */
  readonly policies: ReadonlyMap<string, AgentPolicy>;
  readonly onStep?: (report: StepReport) => void;
  /** Checked between steps; when it returns true the loop stops after the committed step. */
  readonly shouldStop?: () => boolean;
}

/**
 * The step loop (../shared/DESIGN.md): scripted posts → recommender refresh if due →
 * activation → observation of the step-start state → decisions → all actions applied in
 * (scripted, then agent id, then the agent's own order) → one commit. Continues after the
 * channel's last committed step, so the same call resumes an interrupted run.
 */
export async function simulate(parts: SimulationParts): Promise<StepReport[]> {
  const { experiment: exp, channel, population, recommender, policies } = parts;
  const clock = new SimClock(exp.clock);
  const hourly = hourlyMultipliers(exp.activation);
  if (channel.committedStep < 0 && channel.userCount === 0) {
    await channel.importDataset(initialDataset(exp, population), clock.timeOf(0));
  }

  const reports: StepReport[] = [];
  for (let step = channel.committedStep + 1; step < clock.timesteps; step++) {
    if (parts.shouldStop?.()) break;
    const started = performance.now();
    const phases: StepPhases = { snapshot: 0, recsys: 0, decide: 0, apply: 0, commit: 0 };
    let mark = started;
    const lap = (phase: keyof StepPhases): void => {
      const now = performance.now();
      phases[phase] += now - mark;
      mark = now;
    };
    const batch = channel.beginStep(step, clock.timeOf(step));

    const snapshot = await channel.snapshot(step, exp.recsys.window);
    lap('snapshot');
    if (step % exp.recsys.refresh_every === 0 || !channel.hasFeeds) {
      channel.setFeeds(batch, recommender.refresh(snapshot));
    }
    lap('recsys');

    exp.seeds.forEach((seed, i) => {
      for (const post of seed.posts) {
        if (post.at !== step) continue;
        const args = post.label === undefined ? { text: post.text } : { text: post.text, label: post.label };
        channel.apply(batch, population.seedIds[i] as number, { action: 'create_post', args });
      }
    });

    const active = activeAgents(exp.seed, step, hourly[clock.hourOf(step)] ?? 1, population.personas);
    const observe = (p: Persona): Observation => ({
      step,
      simTime: clock.isoOf(step),
      feed: channel
        .feedOf(p.userId)
        .map((id) => snapshot.postsById.get(id))
        .filter((v): v is PostView => v !== undefined),
      followees: channel.state.followeesOf(p.userId),
      liked: channel.state.likesOf(p.userId),
      reposted: channel.state.repostsOf(p.userId),
    });
    const decisions = await decideByCohort(step, active, observe, policies);
    lap('decide');
    for (let i = 0; i < active.length; i++) {
      const actor = (active[i] as Persona).userId;
      for (const action of decisions[i] ?? []) channel.apply(batch, actor, action);
    }
    lap('apply');

    const summary = await channel.commitStep(batch, active.length);
    lap('commit');
    const report = { ...summary, step, simTime: clock.isoOf(step), activeAgents: active.length, wallMs: performance.now() - started, phases };
    reports.push(report);
    parts.onStep?.(report);
  }
  return reports;
}

/** Groups the active agents by cohort, asks each cohort's policy, and restores agent order. */
async function decideByCohort(
  step: number,
  active: readonly Persona[],
  observe: (p: Persona) => Observation,
  policies: ReadonlyMap<string, AgentPolicy>,
): Promise<AgentAction[][]> {
  const byCohort = new Map<string, number[]>();
  active.forEach((p, i) => (byCohort.get(p.cohort) ?? byCohort.set(p.cohort, []).get(p.cohort)!).push(i));
  const out: AgentAction[][] = new Array(active.length);
  await Promise.all(
    [...byCohort].map(async ([cohort, indices]) => {
      const policy = policies.get(cohort);
      if (!policy) throw new Error(`no policy for cohort "${cohort}"`);
      const requests: DecisionRequest[] = indices.map((i) => ({ persona: active[i] as Persona, observation: observe(active[i] as Persona) }));
      const actions = await policy.decideAll(step, requests);
      indices.forEach((i, k) => (out[i] = actions[k] ?? []));
    }),
  );
  return out;
}
