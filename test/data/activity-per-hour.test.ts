import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { buildPersonas } from '../../src/data/population.js';
import { generatePersonas, type Persona } from '../../src/data/personas.js';

/** An experiment file beside data/sample/users.csv (the loader checks that the file exists; the rows are given below). */
const SAMPLE_EXPERIMENT = fileURLToPath(new URL('../../data/sample/experiment.yaml', import.meta.url));

const DISTRIBUTIONS = ['{ kind: beta }', '{ kind: lognormal, sigma: 1 }', '{ kind: pareto, alpha: 1.5 }'] as const;

/** Personas of a 2,000-agent cohort at a step, its activity as written, under a distribution. */
function personas(step: string, activity: string, distribution: string): Persona[] {
  const exp = parseExperiment(
    `name: a
seed: 9
clock: { step: ${step} }
dataset: { generate: { activity_distribution: ${distribution} } }
cohorts: [{ name: all, count: 2000, model: stat, activity: ${activity} }]
`,
    'a.yaml',
  );
  return generatePersonas(exp.seed, exp.cohorts, exp.dataset.generate);
}

describe('activity per hour', () => {
  for (const dist of DISTRIBUTIONS) {
    it(`when a ${dist} cohort's activity is { per_hour: p } at step 1h then its personas are those of activity p`, () => {
      expect(personas('1h', '{ per_hour: 0.3 }', dist)).toEqual(personas('1h', '0.3', dist));
    });

    it(`when a ${dist} cohort is drawn per hour at 10m then each agent is its 1h self converted to the step: 1 − (1 − a)^(1/6)`, () => {
      const hourly = personas('1h', '{ per_hour: 0.3 }', dist);
      const at10m = personas('10m', '{ per_hour: 0.3 }', dist);
      expect(at10m.map((p) => p.interests)).toEqual(hourly.map((p) => p.interests));
      at10m.forEach((p, i) => expect(p.activity).toBeCloseTo(1 - Math.pow(1 - hourly[i]!.activity, 1 / 6), 12));
      // Drawn around the hourly mean: the agents' hourly chances average p, not p converted.
      const meanHourly = hourly.reduce((s, p) => s + p.activity, 0) / hourly.length;
      expect(Math.abs(meanHourly - 0.3)).toBeLessThan(0.03);
    });
  }

  it('when the activity is a plain number then the step length does not change the draws (it is per step, as before)', () => {
    expect(personas('10m', '0.3', '{ kind: beta }')).toEqual(personas('1h', '0.3', '{ kind: beta }'));
  });

  it('when a per-hour cohort takes dataset users then each real account is its 1h self converted to the step too', () => {
    const users = Array.from({ length: 200 }, (_, i) => ({ id: `u${i}`, username: `u${i}`, name: `U ${i}`, bio: '', extra: {} }));
    const at = (step: string): Persona[] => {
      const exp = parseExperiment(
        `name: a\nseed: 9\nclock: { step: ${step} }\ndataset: { users: { path: users.csv } }\ncohorts: [{ name: real, count: 200, model: stat, personas: dataset, activity: { per_hour: 0.3 } }]\n`,
        SAMPLE_EXPERIMENT,
      );
      return [...buildPersonas(exp.seed, exp.cohorts, exp.dataset.generate, users).personas];
    };
    const hourly = at('1h');
    const at15m = at('15m');
    expect(new Set(hourly.map((p) => p.activity)).size).toBeGreaterThan(150);
    at15m.forEach((p, i) => expect(p.activity).toBeCloseTo(1 - Math.pow(1 - hourly[i]!.activity, 0.25), 12));
  });
});
