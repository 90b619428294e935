import { Rng } from '../common/rng.js';
import type { CohortConfig, GenerateConfig } from '../config/types.js';

/** A generated agent: who it is and the traits its policy reads. Stored as users.persona JSON. */
export interface Persona {
  readonly userId: number;
  readonly username: string;
  readonly name: string;
  readonly bio: string;
  readonly cohort: string;
  readonly model: string;
  readonly interests: readonly string[];
  /** Probability of acting in a step before the hourly profile. */
  readonly activity: number;
  /** Relative pull as a followee in the generated graph (heavy-tailed). */
  readonly influence: number;
}

const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Luca', 'Maya', 'Noor', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tess', 'Uma', 'Viktor', 'Wen', 'Yara', 'Zoe'] as const;
const LAST = ['Silva', 'Okafor', 'Nguyen', 'Kowalski', 'Haddad', 'Tanaka', 'Murphy', 'Rossi', 'Schmidt', 'Patel', 'Garcia', 'Larsen', 'Novak', 'Costa', 'Ibrahim', 'Fischer'] as const;
const BIO_TEMPLATES = ['Into {a} and {b}.', '{A} nerd. Occasional {b} takes.', 'Posting about {a}, mostly. Sometimes {b}.', 'Opinions on {a}. Views my own.'] as const;

/** Concentration of the Beta draw of per-agent activity around the cohort mean. */
const ACTIVITY_CONCENTRATION = 4;

function bioFor(rng: Rng, interests: readonly string[]): string {
  const a = interests[0] ?? 'life';
  const b = interests[1] ?? a;
  return rng
    .pick(BIO_TEMPLATES)
    .replace('{A}', a.charAt(0).toUpperCase() + a.slice(1))
    .replace('{a}', a)
    .replace('{b}', b);
}

/** Personas for every cohort, ids 0.. in cohort order; each draw keyed by (seed, agent id). */
export function generatePersonas(seed: number, cohorts: readonly CohortConfig[], gen: GenerateConfig): Persona[] {
  const personas: Persona[] = [];
  let userId = 0;
  for (const cohort of cohorts) {
    const mean = Math.min(Math.max(cohort.activity, 1e-4), 1 - 1e-4);
    for (let i = 0; i < cohort.count; i++, userId++) {
      const rng = Rng.derive(seed, 'persona', userId);
      const first = rng.pick(FIRST);
      const last = rng.pick(LAST);
      const interests = rng.sample(gen.topics, gen.interests_per_agent);
      personas.push({
        userId,
        username: `${first}_${last}_${userId}`.toLowerCase(),
        name: `${first} ${last}`,
        bio: bioFor(rng, interests),
        cohort: cohort.name,
        model: cohort.model,
        interests,
        activity: cohort.activity >= 1 ? 1 : rng.beta(mean * ACTIVITY_CONCENTRATION, (1 - mean) * ACTIVITY_CONCENTRATION),
        // Pareto(α = 1.5): a few accounts attract most follows, as on real platforms.
        influence: Math.pow(1 - rng.next(), -1 / 1.5),
      });
    }
  }
  return personas;
}
