import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { expandSweep, runLabel, sweepId } from '../../src/sweep/expand.js';
import { checkSweepPath } from '../../src/sweep/paths.js';
import { tempDir } from '../helpers/tmp.js';

const BASE = `
name: tiny-sweep
seed: 10
clock: { timesteps: 3, step: 1h, start: 2024-06-17T08:00:00Z }
models:
  stat: { provider: statistical, post_prob: 0.2 }
cohorts:
  - { name: all, count: 30, model: stat, activity: 0.5 }
recsys: { kind: popularity }
`;

function file(sweep: string, base = BASE): string {
  const path = join(tempDir(), 'exp.yaml');
  writeFileSync(path, `${base}sweep:\n${sweep}`);
  return path;
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('expandSweep', () => {
  it('when the matrix has nested paths and seeds then it is the cartesian product, first key outermost and seeds innermost', () => {
    const f = file(`  matrix:\n    recsys.kind: [random, popularity]\n    cohorts[0].count: [5, 7]\n  seeds: [1, 2]\n`);
    const runs = expandSweep(f);
    expect(runs.map((r) => runLabel(r.params))).toEqual([
      'recsys.kind=random cohorts[0].count=5 seed=1',
      'recsys.kind=random cohorts[0].count=5 seed=2',
      'recsys.kind=random cohorts[0].count=7 seed=1',
      'recsys.kind=random cohorts[0].count=7 seed=2',
      'recsys.kind=popularity cohorts[0].count=5 seed=1',
      'recsys.kind=popularity cohorts[0].count=5 seed=2',
      'recsys.kind=popularity cohorts[0].count=7 seed=1',
      'recsys.kind=popularity cohorts[0].count=7 seed=2',
    ]);
    const last = runs[7]!;
    expect(last.overrides).toEqual(['recsys.kind="popularity"', 'cohorts[0].count=7', 'seed=2']);
    expect(last.experiment).toMatchObject({ seed: 2, recsys: { kind: 'popularity' }, cohorts: [{ count: 7 }] });
    expect(last.experiment.sweep).toBeUndefined();
    expect(last.runId).toBe(last.configHash.slice(0, 12));
    expect(new Set(runs.map((r) => r.runId)).size).toBe(8);
  });

  it('when repeats is given then seeds run from the experiment seed; without seeds or repeats the seed is not swept', () => {
    const rep = expandSweep(file(`  matrix: { models.stat.post_prob: [0.1, 0.3] }\n  repeats: 3\n`));
    expect(rep.map((r) => [r.params['models.stat.post_prob'], r.experiment.seed])).toEqual([[0.1, 10], [0.1, 11], [0.1, 12], [0.3, 10], [0.3, 11], [0.3, 12]]);
    const plain = expandSweep(file(`  matrix: { models.stat.post_prob: [0.1, 0.3] }\n`));
    expect(plain.map((r) => r.params)).toEqual([{ 'models.stat.post_prob': 0.1 }, { 'models.stat.post_prob': 0.3 }]);
    expect(plain.map((r) => r.experiment.seed)).toEqual([10, 10]);
  });

  it('when exclude entries match then those combinations are dropped', () => {
    const runs = expandSweep(file(`  matrix:\n    recsys.kind: [random, popularity]\n    cohorts[0].count: [5, 7]\n  seeds: [1, 2]\n  exclude:\n    - recsys.kind: random\n      cohorts[0].count: 7\n    - { recsys.kind: popularity, seed: 2 }\n`));
    expect(runs.map((r) => runLabel(r.params))).toEqual([
      'recsys.kind=random cohorts[0].count=5 seed=1',
      'recsys.kind=random cohorts[0].count=5 seed=2',
      'recsys.kind=popularity cohorts[0].count=5 seed=1',
      'recsys.kind=popularity cohorts[0].count=7 seed=1',
    ]);
  });

  it('when the same file is expanded twice then ids are equal; a changed value or base override changes them', () => {
    const sweep = `  matrix: { recsys.kind: [random, popularity] }\n  seeds: [1, 2]\n`;
    const a = expandSweep(file(sweep));
    const b = expandSweep(file(sweep));
    expect(b.map((r) => r.runId)).toEqual(a.map((r) => r.runId));
    expect(sweepId(b)).toBe(sweepId(a));
    const c = expandSweep(file(sweep.replace('[1, 2]', '[1, 3]')));
    expect(c.slice(0, 1).map((r) => r.runId)).toEqual(a.slice(0, 1).map((r) => r.runId));
    expect(c[1]!.runId).not.toBe(a[1]!.runId);
    expect(sweepId(c)).not.toBe(sweepId(a));
    const d = expandSweep(file(sweep), ['clock.timesteps=4']);
    expect(d.every((r, i) => r.runId !== a[i]!.runId)).toBe(true);
    expect(d[0]!.overrides).toEqual(['clock.timesteps=4', 'recsys.kind="random"', 'seed=1']);
  });

  it('when a matrix path is not in the schema then it is an error located in the file, with a hint', () => {
    const msg = configError(() => expandSweep(file(`  matrix:\n    recsys.knd: [random]\n    models.stat.post_prb: [0.1]\n    name: [x]\n`)));
    expect(msg).toMatch(/exp\.yaml:\d+:\d+ sweep\.matrix\["recsys\.knd"\]: "recsys\.knd" is not a field of the experiment: recsys has no "knd" \(did you mean "kind"\?\)/);
    expect(msg).toContain('models.stat has no "post_prb" (did you mean "post_prob"?)');
    expect(msg).toContain('"name" cannot be swept');
    expect(checkSweepPath('cohorts[0].count')).toBeUndefined();
    expect(checkSweepPath('cohorts.1.activity')).toBeUndefined();
    expect(checkSweepPath('models.any_name.temperature')).toBeUndefined();
  });

  it('when a value is invalid then the loader error names the combination', () => {
    const msg = configError(() => expandSweep(file(`  matrix:\n    recsys.kind: [random, tiktok]\n    cohorts[0].count: [5, 0]\n  seeds: [1, 2]\n`)));
    expect(msg).toContain('sweep run recsys.kind=random cohorts[0].count=0 seed=1: cohorts[0].count: must be integer ≥ 1, got 0');
    expect(msg).toContain('sweep run recsys.kind=tiktok cohorts[0].count=5 seed=1: recsys.kind: must be one of: random, popularity, reddit-hot, twitter, interest, trace, mf, lightgcn, multvae; got "tiktok"');
    expect(msg.match(/tiktok/g)).toHaveLength(2); // reported once, not once per combination
  });

  it('when the sweep block is inconsistent then it says how', () => {
    expect(configError(() => expandSweep(file(`  matrix: { recsys.kind: [random] }\n  seeds: [1]\n  repeats: 2\n`)))).toContain('use seeds or repeats, not both');
    expect(configError(() => expandSweep(file(`  matrix: { recsys.kind: [random] }\n  exclude: [{ clock.timesteps: 3 }]\n`)))).toContain('"clock.timesteps" is not swept');
    expect(configError(() => expandSweep(file(`  matrix: { recsys.kind: [random, random] }\n`)))).toContain('are the same experiment');
    expect(configError(() => expandSweep(file(`  matrix: {}\n`)))).toMatch(/sweep\.matrix/);
    const noSweep = join(tempDir(), 'plain.yaml');
    writeFileSync(noSweep, BASE);
    expect(configError(() => expandSweep(noSweep))).toContain('has no sweep block');
  });
});
