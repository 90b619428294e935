/**
 * Scripted events at steps the run does not reach: seed posts, survey rounds, interventions
 * (and a herding window that outlasts the run). Shortening a run with `--set clock.timesteps=5`
 * is a natural first thing to try, so these are warnings, not errors: the run goes on without
 * them, and `validate` and `run` say which ones will not happen.
 */
import type { RawIssue } from './messages.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const recs = (v: unknown): [number, Rec][] => (Array.isArray(v) ? v.flatMap((x, i): [number, Rec][] => (isRec(x) ? [[i, x]] : [])) : []);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export function outsideRunWarnings(data: Rec): RawIssue[] {
  const clock = isRec(data.clock) ? data.clock : {};
  const steps = isInt(clock.timesteps) && clock.timesteps >= 1 ? clock.timesteps : undefined;
  if (steps === undefined) return [];
  const past = (at: number): string => `step ${at} is past the run's last step (clock.timesteps ${steps}: steps 0..${steps - 1})`;
  const out: RawIssue[] = [];
  for (const [s, seed] of recs(data.seeds)) {
    for (const [p, post] of recs(seed.posts)) {
      if (isInt(post.at) && post.at >= steps) out.push({ segments: ['seeds', s, 'posts', p, 'at'], kind: 'value', message: `${past(post.at)}; this post will not be made` });
    }
  }
  for (const [i, survey] of recs(data.surveys)) {
    (Array.isArray(survey.at) ? survey.at : []).forEach((at: unknown, k: number) => {
      if (isInt(at) && at >= steps) out.push({ segments: ['surveys', i, 'at', k], kind: 'value', message: `${past(at)}; this survey round will not be asked` });
    });
  }
  for (const [i, iv] of recs(data.interventions)) {
    if (isInt(iv.at) && iv.at >= steps) out.push({ segments: ['interventions', i, 'at'], kind: 'value', message: `${past(iv.at)}; this intervention will not be carried out` });
  }
  const herding = isRec(data.herding) ? data.herding : {};
  if (isInt(herding.until_step) && herding.until_step >= steps) {
    out.push({ segments: ['herding', 'until_step'], kind: 'value', message: `${past(herding.until_step)}; posts are enrolled until the run ends` });
  }
  return out;
}
