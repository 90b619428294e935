/** The herding block: what the schema cannot say (arm weights together, steps within the clock). */
import type { RawIssue } from './messages.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export function herdingChecks(data: Rec): RawIssue[] {
  const h = data.herding;
  if (!isRec(h)) return [];
  const out: RawIssue[] = [];
  const arms = isRec(h.arms) ? h.arms : {};
  const weights = ['up', 'down', 'control'].map((k) => arms[k]);
  if (weights.every((w) => typeof w === 'number') && weights.every((w) => w === 0)) {
    out.push({ segments: ['herding', 'arms'], kind: 'value', message: 'needs at least one arm with a weight above 0, got up, down and control all 0' });
  }
  const clock = isRec(data.clock) ? data.clock : {};
  const steps = isInt(clock.timesteps) && clock.timesteps >= 1 ? clock.timesteps : undefined;
  // A from_step past the run enrols nothing: an experiment that measures nothing. An until_step
  // past it only means "to the end" (a warning, see outside-run.ts).
  if (steps !== undefined && isInt(h.from_step) && h.from_step >= steps) {
    out.push({ segments: ['herding', 'from_step'], kind: 'value', message: `must be less than clock.timesteps (${steps}; steps run 0..${steps - 1}), got ${h.from_step}` });
  }
  if (isInt(h.from_step) && isInt(h.until_step) && h.until_step < h.from_step) {
    out.push({ segments: ['herding', 'until_step'], kind: 'value', message: `must be at least from_step (${h.from_step}), got ${h.until_step}` });
  }
  return out;
}
