import { describe, expect, it } from 'vitest';
import type { CohortConfig, GenerateConfig } from '../../src/config/types.js';
import { lognormalClampedMean, paretoClampedMean } from '../../src/data/activity.js';
import { generateFollowGraph } from '../../src/data/follow-graph.js';
import { DEFAULT_AGE_BANDS } from '../../src/data/generate-options.js';
import { generatePersonas, type Persona } from '../../src/data/personas.js';

const TOPICS = ['politics', 'climate', 'sports', 'tech', 'science', 'music', 'entertainment', 'health'];

function gen(over: Partial<GenerateConfig> = {}): GenerateConfig {
  return { topics: TOPICS, interests_per_agent: 2, follows_per_agent: 10, homophily: 0.7, initial_posts_per_agent: 1, ...over };
}

function cohort(count: number, activity = 0.2, name = 'a'): CohortConfig {
  return { name, count, model: 'stat', personas: 'generated', activity };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Discrete power-law exponent by maximum likelihood on the tail ≥ xmin (Clauset et al.'s approximation). */
function powerLawExponent(values: readonly number[], xmin: number): { alpha: number; n: number } {
  const tail = values.filter((v) => v >= xmin);
  return { alpha: 1 + tail.length / tail.reduce((s, v) => s + Math.log(v / (xmin - 0.5)), 0), n: tail.length };
}

function inDegrees(edges: readonly [number, number][], n: number): number[] {
  const deg = new Array<number>(n).fill(0);
  for (const [, b] of edges) deg[b] = (deg[b] as number) + 1;
  return deg;
}

describe('generatePersonas: what existing experiments rely on', () => {
  it('when no new option is set then the original draws are unchanged (pinned values)', () => {
    const ps = generatePersonas(1, [cohort(4)], gen({ follows_per_agent: 3 }));
    expect(ps.map((p) => [p.username, p.interests, p.bio, p.activity, p.influence])).toEqual([
      ['luca_haddad_0', ['health', 'climate'], 'Health nerd. Occasional climate takes.', 0.027943382247772687, 1.9912609598375797],
      ['rosa_patel_1', ['entertainment', 'politics'], 'Entertainment nerd. Occasional politics takes.', 0.053644573155504076, 1.4897324107429424],
      ['quinn_garcia_2', ['climate', 'tech'], 'Opinions on climate. Views my own.', 0.00240037086644651, 1.346739075623005],
      ['grace_ibrahim_3', ['sports', 'health'], 'Posting about sports, mostly. Sometimes health.', 0.15246932930618703, 1.1483576420929074],
    ]);
    expect(generateFollowGraph(1, ps, 2, 0.7)).toEqual([[0, 2], [0, 3], [1, 0], [1, 2], [2, 0], [2, 1], [3, 0], [3, 1]]);
  });
});

describe('generatePersonas: traits', () => {
  it('when personas are generated then each has an age band, drawn near the bands’ weights', () => {
    const ps = generatePersonas(2, [cohort(5000)], gen());
    const total = Object.values(DEFAULT_AGE_BANDS).reduce((a, b) => a + b, 0);
    for (const [band, w] of Object.entries(DEFAULT_AGE_BANDS)) {
      expect(Math.abs(ps.filter((p) => p.ageBand === band).length / ps.length - w / total), band).toBeLessThan(0.025);
    }
    expect(ps.filter((p) => p.ageBand === undefined)).toEqual([]);
  });

  it('when age_bands are configured then only those bands appear, zero weights never', () => {
    const ps = generatePersonas(2, [cohort(500)], gen({ age_bands: { teen: 1, adult: 3, never: 0 } }));
    expect(new Set(ps.map((p) => p.ageBand))).toEqual(new Set(['teen', 'adult']));
  });

  it('when stance_topics are set then every persona has a stance in [-1, 1] on each, and none otherwise', () => {
    const ps = generatePersonas(3, [cohort(1000)], gen({ stance_topics: ['immigration', 'politics'] }));
    const bad = ps.filter((p) => Object.keys(p.stance ?? {}).join() !== 'immigration,politics' || Object.values(p.stance ?? {}).some((s) => !(s >= -1 && s <= 1)));
    expect(bad).toEqual([]);
    expect(generatePersonas(3, [cohort(10)], gen()).every((p) => Object.keys(p.stance ?? {}).length === 0)).toBe(true);
  });

  it('when polarization rises from 0 to 1 then stances move from around 0 to piled up at the ends', () => {
    const extreme = (polarization: number): number => {
      const ps = generatePersonas(4, [cohort(4000)], gen({ stance_topics: ['politics'], polarization }));
      return ps.filter((p) => Math.abs(p.stance!.politics!) > 0.7).length / ps.length;
    };
    const [calm, even, split] = [extreme(0), extreme(0.5), extreme(1)];
    expect(calm).toBeLessThan(0.1);
    expect(even).toBeGreaterThan(calm + 0.1);
    expect(split).toBeGreaterThan(0.6);
  });

  it('when polarization is 1 then both camps are about equally large (no built-in side)', () => {
    const ps = generatePersonas(5, [cohort(4000)], gen({ stance_topics: ['politics'], polarization: 1 }));
    const pro = ps.filter((p) => p.stance!.politics! > 0).length / ps.length;
    expect(Math.abs(pro - 0.5)).toBeLessThan(0.04);
  });

  it('when a persona holds a firm stance then its bio says so', () => {
    const ps = generatePersonas(6, [cohort(300)], gen({ stance_topics: ['nuclear power'], polarization: 1 }));
    const firm = ps.filter((p) => Math.abs(p.stance!['nuclear power']!) >= 0.6);
    expect(firm.length).toBeGreaterThan(100);
    for (const p of firm) expect(p.bio).toMatch(p.stance!['nuclear power']! > 0 ? /Supports nuclear power\.$/ : /Skeptical of nuclear power\.$/);
  });
});

describe('generatePersonas: heavy-tailed activity', () => {
  for (const dist of [{ kind: 'lognormal', sigma: 1.2 }, { kind: 'pareto', alpha: 1.3 }] as const) {
    it(`when activity is ${dist.kind} then each cohort's mean is its activity, all in (0, 1]`, () => {
      const targets = [0.05, 0.2, 0.6];
      const ps = generatePersonas(7, targets.map((a, i) => cohort(6000, a, `c${i}`)), gen({ activity_distribution: dist }));
      targets.forEach((a, i) => {
        const acts = ps.filter((p) => p.cohort === `c${i}`).map((p) => p.activity);
        expect(Math.abs(mean(acts) - a), `${dist.kind} ${a}`).toBeLessThan(0.02);
        expect(acts.filter((x) => !(x > 0 && x <= 1))).toEqual([]);
      });
    });

    it(`when activity is ${dist.kind} then a few agents act almost always while most sit below the mean`, () => {
      const acts = (d?: GenerateConfig['activity_distribution']): number[] =>
        generatePersonas(8, [cohort(5000, 0.1)], gen({ activity_distribution: d })).map((p) => p.activity).sort((a, b) => a - b);
      const q = (xs: readonly number[], f: number): number => xs[Math.floor(f * (xs.length - 1))]!;
      const heavy = acts(dist);
      expect(q(heavy, 0.5)).toBeLessThan(0.06);
      expect(q(heavy, 0.99)).toBeGreaterThan(0.8);
      // The default Beta(0.4, 3.6) is skewed too, but its top stays lower.
      expect(q(heavy, 0.99)).toBeGreaterThan(q(acts(), 0.99) + 0.15);
    });
  }

  it('when the clamped means are solved then they match the closed forms at known points', () => {
    expect(lognormalClampedMean(-50, 1)).toBeLessThan(1e-12);
    expect(lognormalClampedMean(50, 1)).toBeCloseTo(1, 9);
    expect(paretoClampedMean(1, 2)).toBe(1);
    // Pareto(xm = 0.5, α = 2): ∫ below 1 = 2·0.25·(1/0.5 − 1) = 0.5, plus P(X > 1) = 0.25.
    expect(paretoClampedMean(0.5, 2)).toBeCloseTo(0.75, 12);
  });

  it('when the cohort activity is 1 then every agent is always active, whatever the distribution', () => {
    const ps = generatePersonas(9, [cohort(100, 1)], gen({ activity_distribution: { kind: 'lognormal' } }));
    expect(ps.every((p) => p.activity === 1)).toBe(true);
  });
});

describe('generate: determinism with every option set', () => {
  const full = gen({ stance_topics: ['politics', 'tax'], polarization: 0.8, activity_distribution: { kind: 'pareto', alpha: 1.5 }, age_bands: { young: 1, old: 1 } });
  const opts = { model: 'preferential', attachmentOffset: 2, stanceHomophily: 0.5 } as const;

  it('when the seed is the same then personas and graph are identical, and another seed changes both', () => {
    const a = generatePersonas(11, [cohort(800), cohort(200, 0.5, 'b')], full);
    const b = generatePersonas(11, [cohort(800), cohort(200, 0.5, 'b')], full);
    expect(b).toEqual(a);
    expect(generateFollowGraph(11, b, 8, 0.6, opts)).toEqual(generateFollowGraph(11, a, 8, 0.6, opts));
    const c = generatePersonas(12, [cohort(800), cohort(200, 0.5, 'b')], full);
    expect(c.filter((p, i) => p.activity === a[i]!.activity).length).toBeLessThan(10);
    expect(generateFollowGraph(12, a, 8, 0.6, opts)).not.toEqual(generateFollowGraph(11, a, 8, 0.6, opts));
  });
});

describe('generateFollowGraph: shape', () => {
  const PS = generatePersonas(21, [cohort(4000)], gen({ stance_topics: ['politics'], polarization: 1 }));
  const byId = new Map(PS.map((p) => [p.userId, p]));
  const sharesInterest = (a: Persona, b: Persona): boolean => a.interests.some((t) => b.interests.includes(t));
  const topicalShare = (edges: readonly [number, number][]): number => edges.filter(([a, b]) => sharesInterest(byId.get(a)!, byId.get(b)!)).length / edges.length;
  const sameSideShare = (edges: readonly [number, number][]): number => edges.filter(([a, b]) => Math.sign(byId.get(a)!.stance!.politics!) === Math.sign(byId.get(b)!.stance!.politics!)).length / edges.length;
  const PA = generateFollowGraph(21, PS, 10, 0.7, { model: 'preferential' });

  for (const model of ['influence', 'preferential'] as const) {
    it(`when the model is ${model} then the in-degree tail is a power law with exponent in 1.5–3.5`, () => {
      const edges = model === 'preferential' ? PA : generateFollowGraph(21, PS, 10, 0.7);
      const fit = powerLawExponent(inDegrees(edges, PS.length), 20);
      expect(fit.n, 'tail size').toBeGreaterThan(100);
      expect(fit.alpha, `${model} α`).toBeGreaterThan(1.5);
      expect(fit.alpha, `${model} α`).toBeLessThan(3.5);
    });
  }

  it('when the attachment offset grows then the preferential tail gets steeper (≈ 2 + k0 / m)', () => {
    const steep = powerLawExponent(inDegrees(generateFollowGraph(21, PS, 10, 0.7, { model: 'preferential', attachmentOffset: 20 }), PS.length), 20).alpha;
    expect(steep).toBeGreaterThan(powerLawExponent(inDegrees(PA, PS.length), 20).alpha + 0.4);
  });

  it('when the model is preferential then there are no self-loops or repeats, mean out-degree is kept and edges are sorted', () => {
    expect(PA.filter(([a, b]) => a === b)).toEqual([]);
    expect(new Set(PA.map(([a, b]) => `${a}>${b}`)).size).toBe(PA.length);
    expect(Math.abs(PA.length / PS.length - 10)).toBeLessThan(0.5);
    expect(PA.every((e, i) => i === 0 || e[0] > PA[i - 1]![0] || (e[0] === PA[i - 1]![0] && e[1] > PA[i - 1]![1]))).toBe(true);
  });

  it('when the model is preferential then hubs are spread over the id range (agents join in a seeded order)', () => {
    const deg = inDegrees(PA, PS.length);
    const top = deg.map((d, i) => [d, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 50);
    expect(top.filter(([, i]) => i < PS.length / 2).length).toBeGreaterThan(10);
    expect(top.filter(([, i]) => i >= PS.length / 2).length).toBeGreaterThan(10);
  });

  for (const model of ['influence', 'preferential'] as const) {
    it(`when homophily is 0.9 rather than 0 (${model}) then clearly more edges link agents sharing an interest`, () => {
      const share = (h: number): number => topicalShare(generateFollowGraph(22, PS, 10, h, { model }));
      expect(share(0.9)).toBeGreaterThan(share(0) + 0.25);
    });

    it(`when stance homophily is 1 rather than 0 (${model}) then more follows stay within a camp`, () => {
      const share = (s: number): number => sameSideShare(generateFollowGraph(23, PS, 10, 0.7, { model, stanceHomophily: s }));
      const [open, closed] = [share(0), share(1)];
      expect(open).toBeLessThan(0.65);
      expect(closed).toBeGreaterThan(open + 0.2);
    });
  }
});
