import { Rng } from '../common/rng.js';
import type { DatasetImport } from '../channel/channel.js';
import type { UserRow } from '../channel/batch.js';
import type { Experiment } from '../config/types.js';
import { generateFollowGraph } from '../data/follow-graph.js';
import { generatePersonas, type Persona } from '../data/personas.js';
import { composePost } from '../data/text-grammar.js';

export interface Population {
  readonly personas: readonly Persona[];
  /** Scripted accounts, ids after the agents', in the order of `experiment.seeds`. */
  readonly seedIds: readonly number[];
}

/** Who lives in the run. Pure function of the experiment, so a resumed run rebuilds it exactly. */
export function buildPopulation(exp: Experiment): Population {
  const personas = generatePersonas(exp.seed, exp.cohorts, exp.dataset.generate);
  return { personas, seedIds: exp.seeds.map((_, i) => personas.length + i) };
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
    persona: JSON.stringify({ interests: p.interests, activity: round(p.activity), influence: round(p.influence) }),
  }));
  const taken = new Set(users.map((u) => u.username));
  exp.seeds.forEach((s, i) => {
    let username = slug(s.name);
    while (taken.has(username)) username += '_';
    taken.add(username);
    users.push({
      userId: pop.seedIds[i] as number,
      username,
      name: s.name,
      bio: s.bio,
      cohort: `seed:${s.kind}`,
      model: 'scripted',
      kind: 'seed',
      persona: JSON.stringify({ kind: s.kind, followed_by: s.followed_by }),
    });
  });

  const follows = generateFollowGraph(exp.seed, pop.personas, gen.follows_per_agent, gen.homophily);
  exp.seeds.forEach((s, i) => {
    const seedId = pop.seedIds[i] as number;
    for (const p of pop.personas) {
      if (Rng.derive(exp.seed, 'seed-followers', i, p.userId).chance(s.followed_by)) follows.push([p.userId, seedId]);
    }
  });

  const posts: DatasetImport['posts'][number][] = [];
  for (const p of pop.personas) {
    if (p.interests.length === 0) continue;
    const rng = Rng.derive(exp.seed, 'initial-posts', p.userId);
    for (let k = 0; k < gen.initial_posts_per_agent; k++) {
      posts.push({ authorId: p.userId, text: composePost(rng, rng.pick(p.interests)), label: null });
    }
  }
  return { users, follows, posts };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
