import { describe, expect, it } from 'vitest';
import type { CohortConfig, GenerateConfig } from '../../src/config/types.js';
import { generatePersonas } from '../../src/data/personas.js';

const TOPICS = ['politics', 'climate', 'sports', 'tech', 'science', 'music', 'entertainment', 'health'];

function gen(over: Partial<GenerateConfig> = {}): GenerateConfig {
  return { topics: TOPICS, interests_per_agent: 2, follows_per_agent: 10, homophily: 0.7, initial_posts_per_agent: 1, ...over };
}

function cohort(name: string, count: number, activity: number, model = 'stat'): CohortConfig {
  return { name, count, model, personas: 'generated', activity };
}

describe('generatePersonas', () => {
  it('when cohorts are given then ids run 0..N-1 in cohort order with each cohort’s name and model', () => {
    const ps = generatePersonas(1, [cohort('loud', 30, 0.5, 'm1'), cohort('quiet', 20, 0.1, 'm2'), cohort('empty', 0, 0.3), cohort('last', 5, 0.9, 'm3')], gen());
    expect(ps.map((p) => p.userId)).toEqual(Array.from({ length: 55 }, (_, i) => i));
    expect(ps.slice(0, 30).every((p) => p.cohort === 'loud' && p.model === 'm1')).toBe(true);
    expect(ps.slice(30, 50).every((p) => p.cohort === 'quiet' && p.model === 'm2')).toBe(true);
    expect(ps.slice(50).every((p) => p.cohort === 'last' && p.model === 'm3')).toBe(true);
  });

  it('when many personas are generated then usernames are unique', () => {
    const ps = generatePersonas(2, [cohort('a', 3000, 0.2), cohort('b', 2000, 0.4)], gen());
    expect(new Set(ps.map((p) => p.username)).size).toBe(ps.length);
    expect(ps.filter((p) => !/^[a-z_0-9]+$/.test(p.username))).toEqual([]);
  });

  it('when interests are drawn then they are distinct topics, interests_per_agent of them', () => {
    for (const k of [1, 3, TOPICS.length]) {
      const ps = generatePersonas(3, [cohort('a', 500, 0.2)], gen({ interests_per_agent: k }));
      const bad = ps.filter((p) => p.interests.length !== k || new Set(p.interests).size !== k || p.interests.some((t) => !TOPICS.includes(t)));
      expect(bad).toEqual([]);
    }
  });

  it('when interests are drawn over many personas then every topic is used', () => {
    const ps = generatePersonas(3, [cohort('a', 1000, 0.2)], gen({ interests_per_agent: 1 }));
    const counts = new Map<string, number>();
    for (const p of ps) counts.set(p.interests[0]!, (counts.get(p.interests[0]!) ?? 0) + 1);
    expect(counts.size).toBe(TOPICS.length);
    // Roughly uniform: 125 expected each.
    for (const n of counts.values()) expect(n).toBeGreaterThan(70);
  });

  it('when 5,000 agents are drawn per cohort then the mean activity is within ±0.05 of the cohort’s activity', () => {
    const targets = [0.05, 0.2, 0.5, 0.85];
    const ps = generatePersonas(4, targets.map((a, i) => cohort(`c${i}`, 5000, a)), gen());
    targets.forEach((a, i) => {
      const mine = ps.filter((p) => p.cohort === `c${i}`);
      const mean = mine.reduce((s, p) => s + p.activity, 0) / mine.length;
      expect(Math.abs(mean - a), `cohort activity ${a}: mean ${mean}`).toBeLessThan(0.05);
      expect(mine.filter((p) => !(p.activity >= 0 && p.activity <= 1))).toEqual([]);
    });
  });

  it('when a cohort’s activity is 1 then every agent in it is always active', () => {
    const ps = generatePersonas(4, [cohort('always', 200, 1)], gen());
    for (const p of ps) expect(p.activity).toBe(1);
  });

  it('when activity is drawn then agents in a cohort differ (heterogeneous rates)', () => {
    const ps = generatePersonas(4, [cohort('a', 500, 0.3)], gen());
    expect(new Set(ps.map((p) => p.activity)).size).toBeGreaterThan(450);
  });

  it('when influence is drawn then it is at least 1 and heavy-tailed', () => {
    const ps = generatePersonas(5, [cohort('a', 5000, 0.3)], gen());
    const inf = ps.map((p) => p.influence);
    expect(Math.min(...inf)).toBeGreaterThanOrEqual(1);
    const mean = inf.reduce((a, b) => a + b, 0) / inf.length;
    expect(Math.max(...inf)).toBeGreaterThan(10 * mean);
  });

  it('when the same seed is used twice then the personas are identical, and another seed changes them', () => {
    const cohorts = [cohort('a', 300, 0.3), cohort('b', 100, 0.6)];
    const a = generatePersonas(9, cohorts, gen());
    expect(generatePersonas(9, cohorts, gen())).toEqual(a);
    const b = generatePersonas(10, cohorts, gen());
    expect(b).not.toEqual(a);
    expect(b.filter((p, i) => p.username === a[i]!.username).length).toBeLessThan(50);
  });

  it('when a cohort is appended then the personas before it are unchanged', () => {
    const a = generatePersonas(9, [cohort('a', 100, 0.3)], gen());
    const b = generatePersonas(9, [cohort('a', 100, 0.3), cohort('b', 50, 0.3)], gen());
    expect(b.slice(0, 100)).toEqual(a);
  });

  it('when a bio is written then it mentions the persona’s first interest', () => {
    const ps = generatePersonas(6, [cohort('a', 200, 0.3)], gen());
    expect(ps.filter((p) => !p.bio.toLowerCase().includes(p.interests[0]!) || /[{}]/.test(p.bio))).toEqual([]);
  });
});
