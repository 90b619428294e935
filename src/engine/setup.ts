import { seedCohort } from '../agents/policies.js';
import { Rng } from '../common/rng.js';
import type { DatasetImport } from '../channel/channel.js';
import type { UserRow } from '../channel/batch.js';
import type { Experiment } from '../config/types.js';
import { loadDataset, type LoadedDataset } from '../data/dataset.js';
import { EdgeList } from '../common/edge-list.js';
import { followGraphOptions, generateFollowEdges } from '../data/follow-graph.js';
import { buildPersonas, followsAmong, type BuiltPersonas } from '../data/population.js';
import { generatePersonas, type Persona } from '../data/personas.js';
import { composePost } from '../data/text-grammar.js';

export interface Population {
  readonly personas: readonly Persona[];
  /** Scripted accounts, ids after the agents', in the order of `experiment.seeds`. */
  readonly seedIds: readonly number[];
  /** Seed accounts with a `model`: they act each step like agents, in character. */
  readonly seedAgents: readonly Persona[];
  /** Usernames of the seed accounts, in the order of `experiment.seeds`. */
  readonly seedUsernames: readonly string[];
  /** The experiment's dataset files as loaded, and which persona each real account became. */
  readonly dataset?: { readonly loaded: LoadedDataset; readonly built: BuiltPersonas };
}

/**
 * Who lives in the run: generated personas, real accounts from dataset.users, or both (per
 * cohort). A function of the experiment and its dataset files (paths are absolute after
 * loading), so a resumed run rebuilds it exactly.
 * @throws DatasetError on a bad dataset row (under on_bad_row: fail) or an unreadable file.
 */
export async function buildPopulation(exp: Experiment): Promise<Population> {
  const d = exp.dataset;
  if (!d.users && !d.follows && !d.posts && !d.cascades) return withSeeds(exp, generatePersonas(exp.seed, exp.cohorts, d.generate));
  const loaded = await loadDataset(d, '/');
  const built = buildPersonas(exp.seed, exp.cohorts, d.generate, loaded.users?.rows ?? []);
  return { ...withSeeds(exp, built.personas), dataset: { loaded, built } };
}

/** The seed accounts' ids (after the agents'), usernames, and personas for those with a model. */
function withSeeds(exp: Experiment, personas: readonly Persona[]): Population {
  const taken = new Set(personas.map((p) => p.username));
  const seedUsernames = exp.seeds.map((s) => {
    let username = slug(s.name);
    while (taken.has(username)) username += '_';
    taken.add(username);
    return username;
  });
  const seedIds = exp.seeds.map((_, i) => personas.length + i);
  const seedAgents = exp.seeds.flatMap((s, i): Persona[] =>
    s.model
      ? [{ userId: seedIds[i] as number, username: seedUsernames[i] as string, name: s.name, bio: s.bio, cohort: seedCohort(s.name), model: s.model, interests: s.interests ?? [], activity: s.activity ?? 1, influence: 1 }]
      : [],
  );
  return { personas, seedIds, seedUsernames, seedAgents };
}


function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'account';
}

/** The step-0 platform: accounts, the generated follow graph, seed followers, opening posts. */
export function initialDataset(exp: Experiment, pop: Population): DatasetImport {
  const gen = exp.dataset.generate;
  const users: UserRow[] = pop.personas.map((p) => ({
    userId: p.userId,
    username: p.username,
    name: p.name,
    bio: p.bio,
    cohort: p.cohort,
    model: p.model,
    kind: 'agent',
    persona: personaJson(p),
  }));
  exp.seeds.forEach((s, i) => {
    users.push({
      userId: pop.seedIds[i] as number,
      username: pop.seedUsernames[i] as string,
      name: s.name,
      bio: s.bio,
      cohort: `seed:${s.kind}`,
      model: s.model ?? 'scripted',
      kind: 'seed',
      persona: JSON.stringify({ kind: s.kind, followed_by: s.followed_by }),
    });
  });

  const follows = followGraph(exp, pop);
  exp.seeds.forEach((s, i) => {
    const seedId = pop.seedIds[i] as number;
    for (const p of pop.personas) {
      const byInterest = s.followed_by_interests?.some((t) => p.interests.includes(t)) ?? false;
      if (byInterest || Rng.derive(exp.seed, 'seed-followers', i, p.userId).chance(s.followed_by)) follows.push(p.userId, seedId);
    }
  });

  const posts: DatasetImport['posts'][number][] = [...realPosts(pop), ...previousPosts(pop)];
  const hasRealPosts = pop.dataset?.loaded.posts !== undefined;
  for (const p of pop.personas) {
    // Real accounts of a dataset with posts (a posts file, or their previous_posts list) open with their own posts instead of generated ones.
    if (p.interests.length === 0 || (hasRealPosts && p.dataset) || p.dataset?.previousPosts) continue;
    const rng = Rng.derive(exp.seed, 'initial-posts', p.userId);
    for (let k = 0; k < gen.initial_posts_per_agent; k++) {
      posts.push({ authorId: p.userId, text: composePost(rng, rng.pick(p.interests)), label: null });
    }
  }
  return { users, follows, posts, reference: reference(pop) };
}

/**
 * The step-0 graph: the dataset's follows among the accounts taken (when given), and the
 * generated graph for generated personas (all of them without a follows file).
 */
function followGraph(exp: Experiment, pop: Population): EdgeList {
  const gen = exp.dataset.generate;
  const generated = generateFollowEdges(exp.seed, pop.personas, gen.follows_per_agent, gen.homophily, followGraphOptions(gen));
  const real = pop.dataset?.loaded.follows;
  if (!real || !pop.dataset) return generated;
  const isReal = new Set(pop.personas.filter((p) => p.dataset).map((p) => p.userId));
  const out = EdgeList.of(followsAmong(real, pop.dataset.built));
  for (let e = 0; e < generated.length; e++) if (!isReal.has(generated.from(e))) out.push(generated.from(e), generated.to(e));
  return out;
}

/** The dataset's original posts by accounts some cohort took: the platform's opening posts, with their file ids (dataset_posts). */
function realPosts(pop: Population): DatasetImport['posts'][number][] {
  const d = pop.dataset;
  if (!d?.loaded.posts || !d.loaded.users) return [];
  const out: DatasetImport['posts'][number][] = [];
  for (const post of d.loaded.posts.rows) {
    if (post.kind !== 'original' || post.text.trim() === '') continue;
    const author = userIdOf(d, post.author);
    if (author !== undefined) {
      out.push({ authorId: author, text: post.text, label: post.label ?? null, datasetId: post.id, track: post.track ?? false, ...(post.time !== undefined ? { realTimeMs: post.time } : {}) });
    }
  }
  return out;
}

/** An opening post that comes from the dataset, with its id there. */
export type DatasetOpeningPost = DatasetImport['posts'][number] & { readonly datasetId: string };

/**
 * The previous posts of the accounts taken (`dataset.users` previous_posts), in persona order
 * and each account's list order, after the posts file's. Each has the dataset post id
 * `<user id>#<k>`, k its 0-based place in the user's list; blank ones are left out (their k
 * is not reused).
 */
export function previousPosts(pop: Population): DatasetOpeningPost[] {
  const out: DatasetOpeningPost[] = [];
  for (const p of pop.personas) {
    p.dataset?.previousPosts?.forEach((text, k) => {
      if (text.trim() !== '') out.push({ authorId: p.userId, text, label: null, datasetId: `${p.dataset!.id}#${k}` });
    });
  }
  return out;
}

function userIdOf(d: NonNullable<Population['dataset']>, datasetId: string): number | undefined {
  const index = d.loaded.users?.index.get(datasetId);
  const id = index === undefined ? -1 : (d.built.userIdOfIndex[index] ?? -1);
  return id >= 0 ? id : undefined;
}

/** The dataset as loaded, for the real-vs-simulated report (real_posts, real_follows, real_cascades). */
function reference(pop: Population): DatasetImport['reference'] {
  const d = pop.dataset;
  if (!d) return undefined;
  const posts: { authorId: number; kind: string; createdAtMs: number | null }[] = [];
  for (const post of d.loaded.posts?.rows ?? []) {
    const author = userIdOf(d, post.author);
    if (author !== undefined) posts.push({ authorId: author, kind: post.kind, createdAtMs: post.time ?? null });
  }
  return {
    posts,
    follows: d.loaded.follows ? followsAmong(d.loaded.follows, d.built) : [],
    cascades: (d.loaded.cascades?.rows ?? []).map((n) => ({ cascadeId: n.cascade, nodeId: n.user, parentId: n.parent ?? null, delaySeconds: n.delay, sourcePost: n.sourcePost ?? null })),
  };
}

/** users.persona: the traits beyond the users columns; new traits only when present. */
function personaJson(p: Persona): string {
  const stance = p.stance && Object.keys(p.stance).length > 0 ? Object.fromEntries(Object.entries(p.stance).map(([t, s]) => [t, round(s)])) : undefined;
  return JSON.stringify({
    interests: p.interests,
    activity: round(p.activity),
    influence: round(p.influence),
    age_band: p.ageBand,
    stance,
    // A real account's extra columns first, so they can never shadow the fields named here.
    dataset: p.dataset
      ? { ...p.dataset.extra, id: p.dataset.id, created_at: p.dataset.createdAt === undefined ? undefined : new Date(p.dataset.createdAt).toISOString(), followers_count: p.dataset.followersCount, following_count: p.dataset.followingCount, activity_profile: p.dataset.activityProfile, character: p.dataset.character }
      : undefined,
  });
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
