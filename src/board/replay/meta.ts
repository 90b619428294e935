/**
 * What the replay page needs before it can step: the run's committed steps with their simulated
 * times, its cohorts, and whether its personas carry stances (so the graph may colour by them).
 */
import type { SimDb } from '../../analysis/open.js';
import { BoardError } from '../http.js';

export interface ReplayStep {
  step: number;
  sim_time: string;
}

export interface ReplayMeta {
  steps: ReplayStep[];
  users: number;
  cohorts: string[];
  /** Some persona has a `stance` object (datasets generated with stance_topics). */
  has_stance: boolean;
}

export const ISO = `'%Y-%m-%dT%H:%M:%SZ'`;

/** A post as the replay's panels show it (the platform at step t, a thread). */
export interface ReplayPost {
  post_id: number;
  author_id: number;
  author: string;
  kind: string;
  text: string;
  parent_id: number | null;
  created_step: number;
}

/** The run's committed steps (a 404 when there are none): all a panel's request needs to check its step. */
export async function replaySteps(db: SimDb): Promise<ReplayStep[]> {
  const steps = await db.query<ReplayStep>(`SELECT step, strftime(sim_time, ${ISO}) AS sim_time FROM steps ORDER BY step`);
  if (steps.length === 0) throw new BoardError(404, 'this run has no committed step to replay');
  return steps;
}

export async function replayMeta(db: SimDb): Promise<ReplayMeta> {
  const steps = await replaySteps(db);
  const u = await db.one<{ users: number; cohorts: string; has_stance: boolean }>(
    `SELECT count(*)::INTEGER AS users, to_json(list(DISTINCT cohort ORDER BY cohort))::VARCHAR AS cohorts,
            coalesce(bool_or(json_type(persona, '$.stance') = 'OBJECT'), false) AS has_stance FROM users`,
  );
  return { steps, users: u?.users ?? 0, cohorts: JSON.parse(u?.cohorts ?? '[]') as string[], has_stance: u?.has_stance ?? false };
}

/** `step` checked against the run's steps (the last one when not given). */
export function pickStep(steps: readonly ReplayStep[], step: number | undefined): number {
  const last = steps[steps.length - 1]!.step;
  if (step === undefined) return last;
  if (!steps.some((s) => s.step === step)) throw new BoardError(404, `no step ${step} in this run (steps ${steps[0]!.step}–${last})`);
  return step;
}
