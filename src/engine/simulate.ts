import type { AgentPolicy } from '../agents/types.js';
import type { Channel, StepSummary } from '../channel/channel.js';
import type { Experiment } from '../config/types.js';
import type { Persona } from '../data/personas.js';
import { homeTimelineSlots } from '../recsys/home-share.js';
import { recommenderFor } from '../recsys/registry.js';
import type { Recommender } from '../recsys/types.js';
import { activeAgents, hourlyMultipliers } from './activation.js';
import { SimClock } from './clock.js';
import { decideByCohort, observerAt } from './decide.js';
import { clientSource, SnapshotEmbedder, type EmbeddingSource } from './embedder.js';
import { shownFeeds, shownLength } from './feeds.js';
import { HerdingExperiment } from './herding.js';
import { applyInterventions, interventionPosts, recsysAt } from './interventions.js';
import { memoryWindowOf } from './memory-window.js';
import { referencedPosts } from '../channel/window.js';
import { initialDataset, type Population } from './setup.js';
import { recordCalls, runSurveys } from './surveys.js';

/** Agents whose actions apply between two turns of the event loop (see the apply loop). */
const YIELD_EVERY = 8192;

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
  readonly onStep?: (report: StepReport) => void | Promise<void>;
  /** Checked between steps; when it returns true the loop stops after the committed step. */
  readonly shouldStop?: () => boolean;
  /** Where recsys.embedding_model's vectors come from (default: the model's endpoints). */
  readonly embeddingSource?: (model: string) => EmbeddingSource;
  /**
   * Aborts the step in flight (its decisions are not waited for, nothing of it is committed) and
   * the loop rejects with the signal's reason: the run is left after its last committed step.
   */
  readonly signal?: AbortSignal;
}

/**
 * The step loop (../shared/DESIGN.md): scripted posts → recommender refresh if due →
 * activation → observation of the step-start state → decisions → all actions applied in
 * (scripted, then agent id, then the agent's own order) → one commit. Continues after the
 * channel's last committed step, so the same call resumes an interrupted run.
 */
export async function simulate(parts: SimulationParts): Promise<StepReport[]> {
  const { experiment: exp, channel, population, policies } = parts;
  const clock = new SimClock(exp.clock);
  const hourly = hourlyMultipliers(exp.activation);
  channel.configure({
    reportThreshold: exp.platform.report_threshold,
    ...(exp.platform.search ? { search: exp.platform.search } : {}),
    ...(exp.platform.trends ? { trends: exp.platform.trends } : {}),
    memoryWindow: memoryWindowOf(exp),
  });
  if (channel.committedStep < 0) {
    // The import is one transaction; the meta rows after it are written again until step 0
    // commits, so a process killed between the two leaves nothing missing.
    if (channel.userCount === 0) await channel.importDataset(initialDataset(exp, population), clock.timeOf(0));
    // Posts up to this id were on the platform before step 0 (cascade times count from the start, not from a step).
    await channel.setMeta({ opening_posts: String(channel.state.nextPostId - 1) });
    // Tells the analysis that every active agent's step was a browse session.
    if (exp.browse) await channel.setMeta({ browse: JSON.stringify(exp.browse) });
  }

  channel.setAccountLabels(new Map(exp.seeds.flatMap((s, i) => (s.label ? [[population.seedIds[i] as number, s.label] as const] : []))));
  // A set_recsys before the first step to run (a resumed run) is already in force.
  let recsys = recsysAt(exp, channel.committedStep + 1);
  let recommender = recsys === exp.recsys ? parts.recommender : recommenderFor({ ...exp, recsys });
  if (channel.committedStep >= 0 && recommender.loadState) {
    const saved = await channel.recsysState(recommender.kind);
    if (saved) recommender.loadState(saved);
  }

  // Agents, then seed accounts that act through a model (in character, with their own feed).
  const actors = population.seedAgents.length > 0 ? [...population.personas, ...population.seedAgents] : population.personas;
  channel.setFeedUsers(population.seedAgents.map((p) => p.userId));
  const herding = await HerdingExperiment.start(exp, channel);

  let embedder: SnapshotEmbedder | null = null;
  const reports: StepReport[] = [];
  for (let step = channel.committedStep + 1; step < clock.timesteps; step++) {
    if (parts.shouldStop?.()) break;
    parts.signal?.throwIfAborted();
    const started = performance.now();
    const phases: StepPhases = { snapshot: 0, recsys: 0, decide: 0, apply: 0, commit: 0 };
    let mark = started;
    const lap = (phase: keyof StepPhases): void => {
      const now = performance.now();
      phases[phase] += now - mark;
      mark = now;
    };
    const batch = channel.beginStep(step, clock.timeOf(step));

    await channel.visitPosts(interventionPosts(exp, step));
    const recsysChanged = applyInterventions(exp, step, channel, batch, population.seedIds);
    if (recsysChanged) {
      recsys = recsysAt(exp, step);
      recommender = recommenderFor({ ...exp, recsys });
    }
    const snapshot = await channel.snapshot(step, recsys.window);
    const homeSlots = homeTimelineSlots(recsys);
    const home = homeSlots > 0 ? await channel.homeTimeline(snapshot, step - recsys.window) : null;
    lap('snapshot');
    if (recsysChanged || step % recsys.refresh_every === 0 || !channel.hasFeeds) {
      const model = recsys.kind === 'interest' || recsys.kind === 'twitter' ? recsys.embedding_model : undefined;
      if (model !== undefined && embedder?.model !== model) embedder = await SnapshotEmbedder.open(channel, model, (parts.embeddingSource ?? ((m) => clientSource(exp, m)))(model));
      const embeddings = model !== undefined ? await embedder!.prepare(snapshot, channel, batch) : undefined;
      channel.setFeeds(batch, recommender.refresh(embeddings ? { ...snapshot, embeddings } : snapshot));
      if (recommender.saveState) batch.recsysState = { kind: recommender.kind, bytes: recommender.saveState() };
    }
    lap('recsys');

    const feeds = shownFeeds(channel, snapshot, { home, homeSlots, feedSize: recsys.feed_size }, channel.shownFeedStore());
    const observeFeed = observerAt(channel, feeds.observe, step, clock.isoOf(step), exp.browse);
    const observe = herding ? herding.observer(observeFeed) : observeFeed;
    await abortable(runSurveys(step, exp, population.personas, parts.policies, observe, batch), parts.signal);

    exp.seeds.forEach((seed, i) => {
      for (const post of seed.posts) {
        if (post.at !== step) continue;
        const label = post.label ?? seed.label;
        const args = label === undefined ? { text: post.text } : { text: post.text, label };
        channel.apply(batch, population.seedIds[i] as number, { action: 'create_post', args });
      }
    });

    const hour = clock.hourOf(step);
    const active = activeAgents(exp.seed, step, hourly[hour] ?? 1, actors, hour);
    // Rows for mixed feeds only: without a home timeline every feed is the recommender's own list.
    feeds.shown.reserve(active.length, home ? active.length * recsys.feed_size : 0);
    const decisions = await abortable(decideByCohort(step, active, observe, policies, channel), parts.signal);
    for (let i = 0; i < active.length; i++) {
      const user = (active[i] as Persona).userId;
      // Every active agent was observed by its policy; made here should one not have been.
      if (!feeds.shown.has(user)) feeds.observe(user);
      feeds.shown.show(user, shownLength(feeds.shown.lengthOf(user), exp.browse, decisions[i]));
    }
    channel.setImpressions(batch, feeds.shown);
    lap('decide');
    await channel.visitPosts(referencedPosts(channel.state, active.flatMap((p, i) => (decisions[i] ? [[p.userId, decisions[i].actions] as const] : []))));
    // From here to the commit nothing reads DuckDB: the step's transaction opens and DuckDB
    // writes the recommender's lists while the actions apply.
    await channel.openStep(batch);
    try {
      for (let i = 0; i < active.length; i++) {
        // Now and then the event loop runs, so the lists' next INSERT is sent as the last ends.
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
        const persona = active[i] as Persona;
        const decision = decisions[i];
        if (!decision) continue;
        for (const action of decision.actions) channel.apply(batch, persona.userId, action);
        for (const r of decision.rejected ?? []) channel.reject(batch, persona.userId, r.action, r.args, r.error);
        recordCalls(batch, decision.calls ?? [], persona, step);
      }
      herding?.treatNewPosts(batch);
      lap('apply');
      parts.signal?.throwIfAborted();
    } catch (err) {
      await channel.abandonStep();
      throw err;
    }
    const summary = await channel.commitStep(batch, active.length);
    lap('commit');
    const report = { ...summary, step, simTime: clock.isoOf(step), activeAgents: active.length, wallMs: performance.now() - started, phases };
    reports.push(report);
    await parts.onStep?.(report);
  }
  return reports;
}

/**
 * `work`, or the signal's reason as soon as it aborts. Work left behind still settles (e.g.
 * rejects when the worker pool closes); that is absorbed here, never an unhandled rejection.
 */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
