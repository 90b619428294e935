/**
 * Personas for every cohort from generated and real accounts: `personas: dataset` takes the
 * next `count` users of `dataset.users` in file order, `mixed` takes them while any are left
 * and generates the rest, `generated` generates. Ids run 0.. in cohort order as before.
 */
import { Rng } from '../common/rng.js';
import type { CohortConfig, GenerateConfig } from '../config/types.js';
import { DatasetError } from './bad-rows.js';
import type { LoadedFollows } from './load-follows.js';
import type { DatasetUser } from './load-users.js';
import { drawInfluence, PersonaFactory, type Persona } from './personas.js';

export interface BuiltPersonas {
  readonly personas: readonly Persona[];
  /** Index in `dataset.users` rows → the persona's user id; −1 for users no cohort took. */
  readonly userIdOfIndex: Int32Array;
  /** How many dataset users the cohorts took (the first ones of the file). */
  readonly datasetUsersTaken: number;
}

/**
 * @param users `loadDataset(...).users.rows`, or [] without a dataset.
 * @throws DatasetError (`dataset.too_few_users`) when a `personas: dataset` cohort wants more
 *   users than are left after the cohorts before it.
 */
export function buildPersonas(seed: number, cohorts: readonly CohortConfig[], gen: GenerateConfig, users: readonly DatasetUser[]): BuiltPersonas {
  const factory = new PersonaFactory(seed, gen);
  const median = medianFollowers(users);
  const userIdOfIndex = new Int32Array(users.length).fill(-1);
  const personas: Persona[] = [];
  let next = 0;
  for (const cohort of cohorts) {
    const left = users.length - next;
    if (cohort.personas === 'dataset' && cohort.count > left) {
      throw new DatasetError(
        'dataset.too_few_users',
        `cohort "${cohort.name}" (personas: dataset) wants ${cohort.count} users from dataset.users, but ${left === users.length ? `the file has ${left}` : `only ${left} of its ${users.length} are left after the cohorts before it`}; lower count, or use personas: mixed to generate the rest`,
      );
    }
    const real = cohort.personas === 'generated' ? 0 : Math.min(cohort.count, left);
    for (let i = 0; i < cohort.count; i++) {
      const userId = personas.length;
      if (i < real) {
        userIdOfIndex[next] = userId;
        personas.push(fromDataset(factory, userId, cohort, users[next++] as DatasetUser, median));
      } else personas.push(factory.generate(userId, cohort));
    }
  }
  return { personas: withUniqueUsernames(personas), userIdOfIndex, datasetUsersTaken: next };
}

/** A real account as a persona: its own name and bio; what the file lacks is drawn, seeded by id. */
function fromDataset(factory: PersonaFactory, userId: number, cohort: CohortConfig, user: DatasetUser, medianFollowers: number | undefined): Persona {
  const rng = Rng.derive(factory.seed, 'dataset-persona', userId);
  const { topics, interests_per_agent: k } = factory.gen;
  const interests = user.interests ?? interestsFromBio(user.bio, topics, k) ?? rng.sample(topics, k);
  const activity = factory.activity(cohort)(rng);
  const influence =
    user.followersCount !== undefined && medianFollowers !== undefined ? Math.max(1, (user.followersCount + 1) / (medianFollowers + 1)) : drawInfluence(rng);
  const ageBand = typeof user.extra.age_band === 'string' ? user.extra.age_band : undefined;
  return {
    userId,
    username: user.username,
    name: user.name,
    bio: user.bio,
    cohort: cohort.name,
    model: cohort.model,
    interests,
    activity,
    influence,
    ...(ageBand !== undefined ? { ageBand } : {}),
    ...ownHourly(user.activityProfile),
    dataset: {
      id: user.id,
      createdAt: user.createdAt,
      followersCount: user.followersCount,
      followingCount: user.followingCount,
      ...(user.activityProfile ? { activityProfile: user.activityProfile } : {}),
      ...(user.previousPosts ? { previousPosts: user.previousPosts } : {}),
      ...(user.character !== undefined ? { character: user.character } : {}),
      extra: user.extra,
    },
  };
}

/**
 * An activity profile as hour multipliers with mean 1. All zeros says nothing about when the
 * account is active (no past posts to count): it then follows the run's `activation` profile.
 */
function ownHourly(profile: readonly number[] | undefined): { hourly?: readonly number[] } {
  const mean = profile ? profile.reduce((a, b) => a + b, 0) / profile.length : 0;
  return profile && mean > 0 ? { hourly: profile.map((w) => w / mean) } : {};
}

/** Topics the bio names (as a word or a #hashtag), at most `k`, in the topics' order. */
function interestsFromBio(bio: string, topics: readonly string[], k: number): string[] | undefined {
  const words = new Set(bio.toLowerCase().split(/[^\p{L}\p{N}_]+/u));
  const found = topics.filter((t) => words.has(t.toLowerCase())).slice(0, k);
  return found.length > 0 ? found : undefined;
}

/** Influence of a real account is its followers relative to the median account's. */
function medianFollowers(users: readonly DatasetUser[]): number | undefined {
  const counts = users.flatMap((u) => (u.followersCount === undefined ? [] : [u.followersCount])).sort((a, b) => a - b);
  return counts.length === 0 ? undefined : (counts[counts.length >> 1] as number);
}

/**
 * Real usernames are kept as they are; a generated one that happens to equal one gets `_`
 * appended until it is free (generated names end in their id, so among themselves they differ).
 */
function withUniqueUsernames(personas: Persona[]): Persona[] {
  const real = new Set(personas.flatMap((p) => (p.dataset ? [p.username] : [])));
  if (real.size === 0) return personas;
  const taken = new Set(personas.map((p) => p.username));
  return personas.map((p) => {
    if (p.dataset || !real.has(p.username)) return p;
    let username = p.username;
    while (taken.has(username)) username += '_';
    taken.add(username);
    return { ...p, username };
  });
}

/** The dataset's follows between users some cohort took, as [follower, followee] user ids. */
export function followsAmong(follows: LoadedFollows, built: BuiltPersonas): [number, number][] {
  const out: [number, number][] = [];
  for (let e = 0; e < follows.count; e++) {
    const a = built.userIdOfIndex[follows.follower[e] as number] as number;
    const b = built.userIdOfIndex[follows.followee[e] as number] as number;
    if (a >= 0 && b >= 0) out.push([a, b]);
  }
  return out;
}
