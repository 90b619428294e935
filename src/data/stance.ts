import type { Rng } from '../common/rng.js';
import type { Persona } from './personas.js';

/** Spread of a persona's per-topic stances around its overall leaning. */
const TOPIC_NOISE = 0.2;

/**
 * Stances in [-1, 1] per topic. A persona has one leaning drawn from 2·Beta(a, a) − 1 with
 * a = 4^(1 − 2·polarization): 4 (bell around 0) at 0, 1 (uniform) at 0.5, 0.25 (U-shaped,
 * piled at ±1) at 1. Each topic's stance is the leaning plus a little noise, so stances are
 * correlated across topics, as partisan sorting makes them on real platforms.
 */
export function drawStances(rng: Rng, topics: readonly string[], polarization: number): Record<string, number> {
  const stance: Record<string, number> = {};
  if (topics.length === 0) return stance;
  const a = Math.pow(4, 1 - 2 * polarization);
  const leaning = 2 * rng.beta(a, a) - 1;
  for (const t of topics) stance[t] = Math.min(1, Math.max(-1, leaning + TOPIC_NOISE * rng.normal()));
  return stance;
}

/** A short bio clause for the persona's strongest stance, if it is a firm one. */
export function stanceClause(stance: Readonly<Record<string, number>>): string {
  let best: [string, number] | undefined;
  for (const [t, s] of Object.entries(stance)) if (!best || Math.abs(s) > Math.abs(best[1])) best = [t, s];
  if (!best || Math.abs(best[1]) < 0.6) return '';
  return best[1] > 0 ? ` Supports ${best[0]}.` : ` Skeptical of ${best[0]}.`;
}

/** One band, drawn with probability proportional to its weight. */
export function drawAgeBand(rng: Rng, bands: Readonly<Record<string, number>>): string {
  const entries = Object.entries(bands);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let target = rng.next() * total;
  for (const [band, w] of entries) {
    if (target < w) return band;
    target -= w;
  }
  // All weights zero (or rounding at the very end): the last band.
  return (entries[entries.length - 1] as [string, number])[0];
}

/**
 * Personas' stances as one flat array (NaN where a persona holds none on a topic), so the graph
 * generators can compare two personas without walking objects: they do it once per drawn edge.
 */
export class StanceTable {
  private readonly topics: number;
  private readonly values: Float64Array;

  constructor(personas: readonly Persona[]) {
    const names = [...new Set(personas.flatMap((p) => Object.keys(p.stance ?? {})))];
    this.topics = names.length;
    this.values = new Float64Array(personas.length * names.length).fill(NaN);
    personas.forEach((p, i) => names.forEach((t, k) => (this.values[i * names.length + k] = p.stance?.[t] ?? NaN)));
  }

  /** Mean |difference| of persons i and j (indices) over the topics both hold, in [0, 1]; 0 when none. */
  gap(i: number, j: number): number {
    let sum = 0;
    let n = 0;
    for (let k = 0; k < this.topics; k++) {
      const d = Math.abs((this.values[i * this.topics + k] as number) - (this.values[j * this.topics + k] as number));
      if (d === d) {
        sum += d;
        n++;
      }
    }
    return n === 0 ? 0 : sum / (2 * n);
  }

  /**
   * Whether persona i keeps a drawn follow of persona j: refused with probability
   * stanceHomophily × gap. Draws nothing when stance homophily is off (or nobody holds a
   * stance), so graphs without it keep their exact edges.
   */
  accepts(rng: Rng, stanceHomophily: number, i: number, j: number): boolean {
    return stanceHomophily <= 0 || this.topics === 0 || rng.chance(1 - stanceHomophily * this.gap(i, j));
  }
}
