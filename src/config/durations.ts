/**
 * Time-like settings written as durations (`recsys.window: 6h`) or hourly probabilities
 * (`activity: { per_hour: 0.3 }`), converted with the step length into the numbers of steps
 * and per-step probabilities the engine reads. A plain number keeps meaning steps (or a
 * probability per step) and is left alone, so existing experiments load exactly as before.
 *
 * Rounding (documented in the schema and the README):
 * - a span (`recsys.window`, `platform.trends.window`) becomes ceil(duration / step) steps,
 *   so the whole span is covered;
 * - an interval (`recsys.refresh_every`) becomes max(1, round(duration / step)) steps;
 * - a half-life (`recsys.recency_half_life`) stays fractional: duration / step;
 * - `{ per_hour: p }` becomes 1 − (1 − p)^(step / 1h) per step.
 * A span or interval that is not a whole number of steps is accepted with a warning.
 */
import type { PathSegment } from './issues.js';
import type { RawIssue } from './messages.js';
import type { WrittenSetting } from './types.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const HOUR_MS = UNIT_MS.h;

/** `"15m"` → 900000. Throws on a string the schema would reject. */
export function durationMs(step: string): number {
  const m = /^([1-9][0-9]*)(s|m|h|d)$/.exec(step);
  if (!m) throw new Error(`not a duration: ${step}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** 5400000 → "90m": the largest unit that divides it exactly. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms / 1000}s`;
}

/** How a duration becomes steps. */
export type StepRounding = 'span' | 'interval' | 'half-life';

/** Steps a duration of `ms` stands for at a step of `stepMs`, under `rounding`. */
export function stepsOf(ms: number, stepMs: number, rounding: StepRounding): number {
  const exact = ms / stepMs;
  if (rounding === 'half-life') return exact;
  // A duration that is a whole number of steps divides exactly; no float slack is needed.
  if (rounding === 'span') return Math.ceil(exact);
  return Math.max(1, Math.round(exact));
}

/**
 * The probability of acting in a step of `stepHours` hours for an agent that acts within an
 * hour with probability `perHour`: 1 − (1 − p)^stepHours (independent chances per step that
 * compose to p over an hour; computed as −expm1(h·log1p(−p)) to keep small values exact).
 */
export function perStepProbability(perHour: number, stepHours: number): number {
  if (perHour >= 1) return 1;
  if (perHour <= 0) return 0;
  // At 1h steps it is p itself, to the bit: the run equals one with `activity: p`.
  if (stepHours === 1) return perHour;
  return -Math.expm1(stepHours * Math.log1p(-perHour));
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The recsys keys that take a duration, and how each rounds. */
export const RECSYS_TIME_KEYS: Readonly<Record<string, StepRounding>> = { window: 'span', refresh_every: 'interval', recency_half_life: 'half-life' };
/** platform.trends keys that take a duration. */
export const TRENDS_TIME_KEYS: Readonly<Record<string, StepRounding>> = { window: 'span' };
/** platform keys that take a duration. */
export const PLATFORM_TIME_KEYS: Readonly<Record<string, StepRounding>> = { memory_window: 'span' };

export interface Converted {
  /** What was written as a duration or per hour, for the resolved YAML and the config hash. */
  readonly written: WrittenSetting[];
  /** Spans and intervals that were not a whole number of steps: accepted, with this warning. */
  readonly warnings: RawIssue[];
}

/**
 * Converts, in place, every time-like setting of the validated (default-filled) experiment
 * `data` written as a duration or `{ per_hour }`. A cohort's hourly activity is also kept as
 * `hourly_activity`, so personas are drawn around the hourly value and converted one by one.
 */
export function convertTimeSettings(data: Rec, stepMs: number): Converted {
  const written: WrittenSetting[] = [];
  const warnings: RawIssue[] = [];
  const stepHours = stepMs / HOUR_MS;
  const step = formatDuration(stepMs);
  const topRecsys = isRec(data.recsys) ? { ...data.recsys } : {};

  const durations = (block: unknown, at: PathSegment[], keys: Readonly<Record<string, StepRounding>>, inheritedFrom?: Rec): void => {
    if (!isRec(block)) return;
    for (const [key, rounding] of Object.entries(keys)) {
      const value = block[key];
      if (typeof value !== 'string') continue;
      const ms = durationMs(value);
      const steps = stepsOf(ms, stepMs, rounding);
      block[key] = steps;
      written.push({ path: [...at, key], value });
      // A set_recsys block inherits the experiment's recsys keys: one warning, at recsys, is enough.
      if (inheritedFrom?.[key] === value) continue;
      const warning = roundingWarning(value, ms, stepMs, step, steps, rounding, key);
      if (warning) warnings.push({ segments: [...at, key], kind: 'value', message: warning });
    }
  };
  durations(data.recsys, ['recsys'], RECSYS_TIME_KEYS);
  if (isRec(data.platform)) durations(data.platform.trends, ['platform', 'trends'], TRENDS_TIME_KEYS);
  durations(data.platform, ['platform'], PLATFORM_TIME_KEYS);
  if (Array.isArray(data.interventions)) {
    data.interventions.forEach((iv: unknown, i) => {
      if (isRec(iv)) durations(iv.recsys, ['interventions', i, 'recsys'], RECSYS_TIME_KEYS, topRecsys);
    });
  }

  for (const list of ['cohorts', 'seeds'] as const) {
    const items = data[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item: unknown, i) => {
      if (!isRec(item) || !isRec(item.activity) || typeof item.activity.per_hour !== 'number') return;
      const perHour = item.activity.per_hour;
      written.push({ path: [list, i, 'activity'], value: { per_hour: perHour } });
      item.activity = perStepProbability(perHour, stepHours);
      if (list === 'cohorts') item.hourly_activity = { per_hour: perHour, step_hours: stepHours };
    });
  }
  return { written, warnings };
}

function roundingWarning(value: string, ms: number, stepMs: number, step: string, steps: number, rounding: StepRounding, key: string): string | undefined {
  if (rounding === 'half-life' || ms % stepMs === 0) return undefined;
  const exact = Number((ms / stepMs).toFixed(2));
  if (rounding === 'interval' && ms < stepMs) return `${value} is shorter than a step (${step}); taken as 1 step: ${key === 'refresh_every' ? 'feeds refresh every step' : 'every step'}`;
  const how = rounding === 'span' ? 'rounded up' : 'rounded';
  const why = rounding === 'span' ? ', so the whole span is covered' : '';
  return `${value} is ${exact} steps of ${step}; ${how} to ${steps} step${steps === 1 ? '' : 's'} (${formatDuration(steps * stepMs)})${why}`;
}

/**
 * A copy of an experiment (or its plain data) with the converted settings put back as written
 * and the derived `hourly_activity` left out: what the resolved YAML shows and the hash covers.
 */
export function asWritten<T>(data: T, written: readonly WrittenSetting[] | undefined): T {
  const copy = structuredClone(data) as Rec;
  for (const { path, value } of written ?? []) {
    let node: unknown = copy;
    for (const seg of path.slice(0, -1)) node = (node as Rec | undefined)?.[seg as string];
    if (isRec(node) || Array.isArray(node)) (node as Rec)[path[path.length - 1] as string] = structuredClone(value);
  }
  if (Array.isArray(copy.cohorts)) for (const c of copy.cohorts) if (isRec(c)) delete c.hourly_activity;
  return copy as T;
}
