import { describe, expect, it } from 'vitest';
import type { CohortConfig, GenerateConfig } from '../../src/config/types.js';
import { DatasetError } from '../../src/data/bad-rows.js';
import type { DatasetUser } from '../../src/data/load-users.js';
import { generatePersonas } from '../../src/data/personas.js';
import { buildPersonas, followsAmong } from '../../src/data/population.js';

const GEN: GenerateConfig = { topics: ['politics', 'tech', 'music', 'food'], interests_per_agent: 2, follows_per_agent: 5, homophily: 0.5, initial_posts_per_agent: 1 };

function cohort(name: string, count: number, personas: CohortConfig['personas'], activity = 0.3): CohortConfig {
  return { name, count, model: `m_${name}`, personas, activity };
}

function user(i: number, over: Partial<DatasetUser> = {}): DatasetUser {
  return { id: `r${i}`, username: `real_${i}`, name: `Real ${i}`, bio: `bio ${i}`, extra: {}, ...over };
}

const USERS = Array.from({ length: 10 }, (_, i) => user(i));

describe('buildPersonas', () => {
  it('when every cohort is generated then the personas are exactly generatePersonas', () => {
    const cohorts = [cohort('a', 30, 'generated'), cohort('b', 20, 'generated')];
    expect(buildPersonas(5, cohorts, GEN, USERS).personas).toEqual(generatePersonas(5, cohorts, GEN));
  });

  it('when cohorts take dataset users then they take them in file order, continuing across cohorts', () => {
    const built = buildPersonas(5, [cohort('a', 3, 'dataset'), cohort('g', 2, 'generated'), cohort('b', 4, 'dataset')], GEN, USERS);
    expect(built.personas.map((p) => p.dataset?.id ?? 'gen')).toEqual(['r0', 'r1', 'r2', 'gen', 'gen', 'r3', 'r4', 'r5', 'r6']);
    expect(built.personas.map((p) => p.userId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...built.userIdOfIndex]).toEqual([0, 1, 2, 5, 6, 7, 8, -1, -1, -1]);
    expect(built.datasetUsersTaken).toBe(7);
  });

  it('when a cohort is mixed then it takes the users left and generates the rest', () => {
    const built = buildPersonas(5, [cohort('a', 6, 'dataset'), cohort('m', 7, 'mixed')], GEN, USERS);
    const mixed = built.personas.filter((p) => p.cohort === 'm');
    expect(mixed.map((p) => p.dataset?.id ?? 'gen')).toEqual(['r6', 'r7', 'r8', 'r9', 'gen', 'gen', 'gen']);
    // A generated persona is the one generatePersonas gives for its id.
    expect(mixed[4]).toEqual(generatePersonas(5, [cohort('m', 11, 'generated')], GEN)[10]);
  });

  it('when a dataset cohort wants more users than are left then a DatasetError says how many remain', () => {
    const fail = (): unknown => buildPersonas(5, [cohort('a', 8, 'dataset'), cohort('b', 3, 'dataset')], GEN, USERS);
    expect(fail).toThrow(DatasetError);
    expect(fail).toThrow('cohort "b" (personas: dataset) wants 3 users from dataset.users, but only 2 of its 10 are left after the cohorts before it; lower count, or use personas: mixed to generate the rest');
  });

  it('when a real account becomes a persona then it keeps its names, bio and fields, with its cohort’s model', () => {
    const u = user(0, { createdAt: 5, followersCount: 40, followingCount: 2, interests: ['jazz'], extra: { location: 'Oslo', age_band: '35-49' } });
    const [p] = buildPersonas(1, [cohort('a', 1, 'dataset')], GEN, [u]).personas;
    expect(p).toMatchObject({ userId: 0, username: 'real_0', name: 'Real 0', bio: 'bio 0', cohort: 'a', model: 'm_a', interests: ['jazz'], ageBand: '35-49' });
    expect(p!.dataset).toEqual({ id: 'r0', createdAt: 5, followersCount: 40, followingCount: 2, extra: { location: 'Oslo', age_band: '35-49' } });
  });

  it('when a real account lists no interests then they are read from its bio, else drawn from the topics', () => {
    const ps = buildPersonas(1, [cohort('a', 2, 'dataset')], GEN, [user(0, { bio: 'I write about #food and Politics.' }), user(1, { bio: 'nothing here' })]).personas;
    expect(ps[0]!.interests).toEqual(['politics', 'food']);
    expect(ps[1]!.interests).toHaveLength(2);
    expect(ps[1]!.interests.every((t) => GEN.topics.includes(t))).toBe(true);
  });

  it('when real accounts have follower counts then influence is followers relative to the median account, at least 1', () => {
    const users = [0, 9, 99, 999].map((f, i) => user(i, { followersCount: f }));
    const ps = buildPersonas(1, [cohort('a', 4, 'dataset')], GEN, users).personas;
    expect(ps.map((p) => p.influence)).toEqual([1, 1, 1, 10]);
  });

  it('when many real accounts are drawn then activity still averages the cohort’s activity', () => {
    const users = Array.from({ length: 4000 }, (_, i) => user(i));
    const ps = buildPersonas(3, [cohort('a', 4000, 'dataset', 0.25)], GEN, users).personas;
    expect(Math.abs(ps.reduce((s, p) => s + p.activity, 0) / ps.length - 0.25)).toBeLessThan(0.02);
  });

  it('when a generated username equals a real one then the generated one changes and the real one stays', () => {
    const clash = generatePersonas(5, [cohort('g', 1, 'generated')], GEN)[0]!.username;
    const ps = buildPersonas(5, [cohort('g', 1, 'generated'), cohort('d', 1, 'dataset')], GEN, [user(0, { username: clash })]).personas;
    expect(ps.map((p) => p.username)).toEqual([`${clash}_`, clash]);
  });

  it('when the same seed and users are given twice then the personas are identical', () => {
    const cohorts = [cohort('d', 4, 'dataset'), cohort('m', 10, 'mixed')];
    expect(buildPersonas(9, cohorts, GEN, USERS)).toEqual(buildPersonas(9, cohorts, GEN, USERS));
  });
});

describe('followsAmong', () => {
  it('when some dataset users were not taken then their follows are dropped and the rest mapped to user ids', () => {
    const built = buildPersonas(5, [cohort('g', 2, 'generated'), cohort('d', 3, 'dataset')], GEN, USERS);
    const follows = { file: 'f.csv', count: 3, follower: Int32Array.from([0, 2, 4]), followee: Int32Array.from([1, 0, 0]), skipped: 0, examples: [] };
    expect(followsAmong(follows, built)).toEqual([[2, 3], [4, 2]]);
  });
});
