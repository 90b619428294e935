import { Rng } from '../common/rng.js';
import type { ActivationConfig } from '../config/types.js';
import type { Persona } from '../data/personas.js';

/**
 * Relative activity by UTC hour for the `diurnal` profile: quiet overnight, a morning rise,
 * an evening peak (shape of typical Twitter hourly volume). Normalised to mean 1 below.
 */
const DIURNAL: readonly number[] = [
  0.45, 0.3, 0.2, 0.15, 0.15, 0.2, 0.35, 0.6, 0.85, 1.0, 1.05, 1.1, 1.2, 1.15, 1.1, 1.1, 1.15, 1.25, 1.4, 1.55, 1.6, 1.5, 1.2, 0.8,
];

function normalised(weights: readonly number[]): number[] {
  const mean = weights.reduce((a, b) => a + b, 0) / weights.length;
  return weights.map((w) => (mean > 0 ? w / mean : 0));
}

/** Multiplier of an agent's activity at each UTC hour (mean 1 over a day). */
export function hourlyMultipliers(config: ActivationConfig): readonly number[] {
  if (config.profile === 'diurnal') return normalised(DIURNAL);
  if (config.profile === 'custom' && config.hourly?.length === 24) return normalised(config.hourly);
  return new Array<number>(24).fill(1);
}

/**
 * Which agents act in a step: agent i acts with probability min(1, activity_i × hour multiplier),
 * drawn from Rng.derive(seed, 'activation', step, i). Returns ids ascending. The multiplier is
 * `hourMultiplier` (the run's profile at this hour) unless the agent has its own profile.
 * @param hour the step's UTC hour, which selects from an agent's own profile (`Persona.hourly`).
 */
export function activeAgents(seed: number, step: number, hourMultiplier: number, personas: readonly Persona[], hour?: number): Persona[] {
  const active: Persona[] = [];
  const rngOf = Rng.deriver(seed, 'activation', step);
  for (const p of personas) {
    const multiplier = ownMultiplier(p, hour) ?? hourMultiplier;
    if (rngOf(p.userId).chance(Math.min(1, p.activity * multiplier))) active.push(p);
  }
  return active;
}

/** The agent's own multiplier at `hour` (a dataset activity profile), or undefined: the run's applies. */
export function ownMultiplier(p: Persona, hour: number | undefined): number | undefined {
  return hour === undefined ? undefined : p.hourly?.[hour];
}
