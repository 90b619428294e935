import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPolicies } from '../agents/policies.js';
import { Channel } from '../channel/channel.js';
import { configHash, resolvedYaml } from '../config/load.js';
import type { Experiment } from '../config/types.js';
import { createRecommender } from '../recsys/registry.js';
import { EventLog } from './events.js';
import { createProgress } from './progress.js';
import { gitCommit, packageVersions } from './provenance.js';
import { createRunFolder, RUN_FILES, writeRunInfo, type RunInfo } from './run-folder.js';
import { buildPopulation } from './setup.js';
import { simulate } from './simulate.js';

export interface RunOptions {
  /** Results root; the run goes to <root>/<experiment>/<run-id>/. */
  readonly resultsRoot: string;
  readonly quiet?: boolean;
  /** Recorded in run.json (argv without secrets: the CLI passes its own arguments). */
  readonly command?: readonly string[];
  readonly now?: Date;
}

export interface RunOutcome {
  readonly dir: string;
  readonly info: RunInfo;
}

/**
 * Runs an experiment into a new results folder: experiment.resolved.yaml first (so even a
 * crashed run can be re-run), then the simulation with run.json kept current, events.jsonl
 * appended per step. Policies are built before the folder exists, so an unsupported model
 * leaves nothing behind. SIGINT stops after the step in flight and marks the run interrupted.
 */
export async function runExperiment(exp: Experiment, opts: RunOptions): Promise<RunOutcome> {
  const policies = createPolicies(exp);
  const population = buildPopulation(exp);
  const started = opts.now ?? new Date();
  const { runId, dir } = createRunFolder(opts.resultsRoot, exp.name, exp.seed, started);
  writeFileSync(join(dir, RUN_FILES.resolved), resolvedYaml(exp));
  const events = new EventLog(join(dir, RUN_FILES.events));
  const info: RunInfo = {
    experiment: exp.name,
    run_id: runId,
    seed: exp.seed,
    config_hash: configHash(exp),
    status: 'running',
    started_at: started.toISOString(),
    finished_at: null,
    wall_ms: 0,
    timesteps: exp.clock.timesteps,
    steps_completed: 0,
    agents: population.personas.length,
    actions: 0,
    failed_actions: 0,
    actions_per_second: 0,
    git_commit: gitCommit(process.cwd()),
    versions: packageVersions(),
    command: [...(opts.command ?? [])],
  };
  writeRunInfo(dir, info);

  const t0 = performance.now();
  let stopRequested = false;
  const onSigint = (): void => {
    stopRequested = true;
  };
  process.once('SIGINT', onSigint);
  const channel = await Channel.open(join(dir, RUN_FILES.db));
  const progress = createProgress(exp.clock.timesteps, channel.committedStep + 1, { quiet: opts.quiet });
  events.write({ type: 'run_started', run_id: runId, experiment: exp.name, seed: exp.seed, timesteps: exp.clock.timesteps, agents: info.agents, from_step: channel.committedStep + 1 });
  try {
    await simulate({
      experiment: exp,
      channel,
      population,
      recommender: createRecommender(exp.recsys, exp.seed),
      policies,
      shouldStop: () => stopRequested,
      onStep(r) {
        info.steps_completed = r.step + 1;
        info.actions += r.actions;
        info.failed_actions += r.failed;
        info.wall_ms = Math.round(performance.now() - t0);
        writeRunInfo(dir, info);
        events.write({ type: 'step', step: r.step, sim_time: r.simTime, active_agents: r.activeAgents, actions: r.actions, failed_actions: r.failed, wall_ms: Math.round(r.wallMs) });
        progress.step(r);
      },
    });
    info.status = stopRequested ? 'interrupted' : 'completed';
  } catch (err) {
    info.status = 'failed';
    info.error = err instanceof Error ? err.message : String(err);
    events.write({ type: 'error', code: 'run.failed', message: info.error });
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    progress.stop();
    channel.close();
    info.finished_at = new Date().toISOString();
    info.wall_ms = Math.round(performance.now() - t0);
    info.actions_per_second = Math.round((info.actions / Math.max(info.wall_ms, 1)) * 1000);
    writeRunInfo(dir, info);
    events.write({ type: 'run_finished', status: info.status, steps_completed: info.steps_completed, actions: info.actions, wall_ms: info.wall_ms });
  }
  return { dir, info };
}
