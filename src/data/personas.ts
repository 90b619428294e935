import { Rng } from '../common/rng.js';
import type { CohortConfig, GenerateConfig } from '../config/types.js';
import { cohortActivitySampler, type ActivitySampler } from './activity.js';
import { filledGenerate, type FilledGenerate } from './generate-options.js';
import type { JsonValue } from './rows.js';
import { drawAgeBand, drawStances, stanceClause } from './stance.js';

/** An agent: who it is and the traits its policy reads. Stored as users.persona JSON. */
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
  /** E.g. "25-34"; absent only on personas built by hand (tests). */
  readonly ageBand?: string;
  /** Topic → stance in [-1, 1], over `dataset.generate.stance_topics`. */
  readonly stance?: Readonly<Record<string, number>>;
  /**
   * The agent's own activity multiplier at each UTC hour (mean 1), in place of the run's
   * `activation` profile: a real account's activity profile, normalised.
   */
  readonly hourly?: readonly number[];
  /** Set when the persona is a real account from `dataset.users`. */
  readonly dataset?: DatasetPersonaFields;
}

/** What a real account brings beyond the fields every persona has. */
export interface DatasetPersonaFields {
  /** The account's id in the dataset files. */
  readonly id: string;
  /** Epoch milliseconds. */
  readonly createdAt?: number;
  readonly followersCount?: number;
  readonly followingCount?: number;
  /** The activity profile as the file gives it (24 numbers, UTC hours). */
  readonly activityProfile?: readonly number[];
  /** Posts from before the run, in the file's order: opening posts, and early LLM memory. */
  readonly previousPosts?: readonly string[];
  /** Free-text description of who the user is, shown to an LLM after the bio. */
  readonly character?: string;
  /** The file's other columns, as read. */
  readonly extra: Readonly<Record<string, JsonValue>>;
}

const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Luca', 'Maya', 'Noor', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tess', 'Uma', 'Viktor', 'Wen', 'Yara', 'Zoe'] as const;
const LAST = ['Silva', 'Okafor', 'Nguyen', 'Kowalski', 'Haddad', 'Tanaka', 'Murphy', 'Rossi', 'Schmidt', 'Patel', 'Garcia', 'Larsen', 'Novak', 'Costa', 'Ibrahim', 'Fischer'] as const;
const BIO_TEMPLATES = ['Into {a} and {b}.', '{A} nerd. Occasional {b} takes.', 'Posting about {a}, mostly. Sometimes {b}.', 'Opinions on {a}. Views my own.'] as const;

function bioFor(rng: Rng, interests: readonly string[]): string {
  const a = interests[0] ?? 'life';
  const b = interests[1] ?? a;
  return rng
    .pick(BIO_TEMPLATES)
    .replace('{A}', a.charAt(0).toUpperCase() + a.slice(1))
    .replace('{a}', a)
    .replace('{b}', b);
}

/** Pareto(α = 1.5) with minimum 1: a few accounts attract most follows, as on real platforms. */
export function drawInfluence(rng: Rng): number {
  return Math.pow(1 - rng.next(), -1 / 1.5);
}

/**
 * Draws personas one id at a time, every draw keyed by (seed, user id) so a persona does not
 * depend on which others exist.
 */
export class PersonaFactory {
  readonly gen: FilledGenerate;
  private readonly samplers = new Map<string, ActivitySampler>();

  constructor(
    readonly seed: number,
    gen: GenerateConfig,
  ) {
    this.gen = filledGenerate(gen);
  }

  activity(cohort: CohortConfig): ActivitySampler {
    let s = this.samplers.get(cohort.name);
    if (!s) this.samplers.set(cohort.name, (s = cohortActivitySampler(this.gen.activity_distribution, cohort)));
    return s;
  }

  generate(userId: number, cohort: CohortConfig): Persona {
    const rng = Rng.derive(this.seed, 'persona', userId);
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const interests = rng.sample(this.gen.topics, this.gen.interests_per_agent);
    const bio = bioFor(rng, interests);
    const activity = this.activity(cohort)(rng);
    const influence = drawInfluence(rng);
    // Traits added later are drawn after all the original draws, which thus stay as they were.
    const ageBand = drawAgeBand(rng, this.gen.age_bands);
    const stance = drawStances(rng, this.gen.stance_topics, this.gen.polarization);
    return {
      userId,
      username: `${first}_${last}_${userId}`.toLowerCase(),
      name: `${first} ${last}`,
      bio: bio + stanceClause(stance),
      cohort: cohort.name,
      model: cohort.model,
      interests,
      activity,
      influence,
      ageBand,
      stance,
    };
  }
}

/**
 * Generated personas for every cohort (whatever its `personas` says), ids 0.. in cohort order.
 * `buildPersonas` in population.ts is the one that honours `personas: dataset | mixed`.
 */
export function generatePersonas(seed: number, cohorts: readonly CohortConfig[], gen: GenerateConfig): Persona[] {
  const factory = new PersonaFactory(seed, gen);
  const personas: Persona[] = [];
  let userId = 0;
  for (const cohort of cohorts) for (let i = 0; i < cohort.count; i++, userId++) personas.push(factory.generate(userId, cohort));
  return personas;
}
