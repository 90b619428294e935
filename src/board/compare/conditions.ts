/**
 * A sweep's conditions over time: each run's per-step series (series.ts), grouped by condition
 * (the swept values other than the seed, named as the sweep report names them) and averaged over
 * the condition's seeds step by step. A run that stopped before a step is left out of that
 * step's mean; one that reached it but did nothing counts 0 (series.ts fills those zeros).
 */
import { byCondition } from '../../sweep/conditions.js';
import { SERIES, type SeriesKey, type StepFigures } from './series.js';

export interface SweepRunSeries {
  readonly params: Readonly<Record<string, unknown>>;
  readonly series: readonly StepFigures[];
}

export interface ConditionPoint {
  condition: string;
  series: SeriesKey;
  step: number;
  mean: number;
  /** Runs (seeds) of the condition that reached the step. */
  n: number;
}

/** Mean over seeds per condition, series and step, conditions in the order they first appear. */
export function conditionMeans(params: readonly string[], runs: readonly SweepRunSeries[]): ConditionPoint[] {
  const out: ConditionPoint[] = [];
  for (const [condition, members] of byCondition(params, runs)) {
    const lastOf = members.map((m) => m.series[m.series.length - 1]?.step ?? -1);
    const steps = [...new Set(members.flatMap((m) => m.series.map((s) => s.step)))].sort((a, b) => a - b);
    for (const { key } of SERIES) {
      for (const step of steps) {
        const values = members.flatMap((m, i) => {
          if (step > lastOf[i]!) return [];
          return [m.series.find((s) => s.step === step)?.[key] ?? 0];
        });
        if (values.length === 0) continue;
        out.push({ condition, series: key, step, mean: values.reduce((a, b) => a + b, 0) / values.length, n: values.length });
      }
    }
  }
  return out;
}
