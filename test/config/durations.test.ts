import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateExperiments } from '../../src/cli/validate.js';
import { perStepProbability, stepsOf } from '../../src/config/durations.js';
import { configHash, formatIssue, parseExperiment, resolvedYaml } from '../../src/config/load.js';
import { parseExperimentWithWarnings } from '../../src/config/load.js';
import { issuesOf } from '../helpers/config-issues.js';

const H = 3_600_000;
const M = 60_000;

/** An experiment with every time-like key, at a step `step`, each written as `value`. */
function withTimes(step: string, t: { window?: string | number; refresh?: string | number; halfLife?: string | number; trends?: string | number; activity?: string; seedActivity?: string }): string {
  return `name: times
clock: { timesteps: 12, step: ${step} }
models:
  stat: { provider: statistical }
  llm: { provider: openai-compatible, model: m, host: 127.0.0.1, ports: [8000] }
cohorts:
  - { name: all, count: 5, model: stat, activity: ${t.activity ?? '0.2'} }
recsys: { kind: twitter, window: ${t.window ?? 24}, refresh_every: ${t.refresh ?? 1}, recency_half_life: ${t.halfLife ?? 6} }
platform: { trends: { window: ${t.trends ?? 6} } }
seeds:
  - { name: Bot, kind: custom, model: llm, activity: ${t.seedActivity ?? '1'} }
interventions:
  - { at: 6, action: set_recsys, recsys: { kind: interest } }
`;
}

describe('durations to steps', () => {
  it('when a span is converted then it is rounded up so the whole span is covered', () => {
    expect(stepsOf(90 * M, H, 'span')).toBe(2);
    expect(stepsOf(90 * M, 15 * M, 'span')).toBe(6);
    expect(stepsOf(6 * H, H, 'span')).toBe(6);
    expect(stepsOf(30_000, H, 'span')).toBe(1);
  });

  it('when an interval is converted then it is rounded to the nearest step, at least 1', () => {
    expect(stepsOf(2 * H, 30 * M, 'interval')).toBe(4);
    expect(stepsOf(10 * M, 3 * M, 'interval')).toBe(3);
    expect(stepsOf(90 * M, H, 'interval')).toBe(2);
    expect(stepsOf(30_000, M, 'interval')).toBe(1);
    expect(stepsOf(20 * M, H, 'interval')).toBe(1);
  });

  it('when a half-life is converted then it stays fractional', () => {
    expect(stepsOf(90 * M, H, 'half-life')).toBe(1.5);
    expect(stepsOf(20 * M, 3 * M, 'half-life')).toBeCloseTo(6.6667, 4);
  });

  it('when activity is per hour then a step of h hours gets 1 − (1 − p)^h, which composes back to p over an hour', () => {
    expect(perStepProbability(0.3, 1 / 6)).toBeCloseTo(1 - Math.pow(0.7, 1 / 6), 12);
    expect(perStepProbability(0.3, 1 / 6)).toBeCloseTo(0.05771, 5);
    expect(Math.pow(1 - perStepProbability(0.3, 1 / 6), 6)).toBeCloseTo(0.7, 12);
    expect(perStepProbability(0.3, 1 / 60)).toBeCloseTo(0.0059269, 7);
    // Longer steps than an hour: two hours of 30 % chances.
    expect(perStepProbability(0.3, 2)).toBeCloseTo(0.51, 12);
    expect(perStepProbability(0.3, 1)).toBe(0.3);
    expect(perStepProbability(0, 0.5)).toBe(0);
    expect(perStepProbability(1, 0.5)).toBe(1);
  });

  it('when p = 0.3 per hour then turns per agent-hour grow as the step shrinks, towards −ln(0.7), as the README says', () => {
    const turnsPerHour = (stepHours: number): number => perStepProbability(0.3, stepHours) / stepHours;
    expect([1, 1 / 6, 1 / 20, 1 / 60].map((h) => turnsPerHour(h).toFixed(3))).toEqual(['0.300', '0.346', '0.354', '0.356']);
    expect(-Math.log(0.7)).toBeCloseTo(0.357, 3);
  });
});

describe('loading durations', () => {
  it('when every time-like key is a duration then the engine sees steps, per key, in recsys, platform.trends and set_recsys', () => {
    const exp = parseExperiment(withTimes('15m', { window: '90m', refresh: '1h', halfLife: '45m', trends: '2h' }), 'x.yaml');
    expect(exp.recsys).toMatchObject({ window: 6, refresh_every: 4, recency_half_life: 3 });
    expect(exp.platform.trends?.window).toBe(8);
    // set_recsys inherits the experiment's keys as written, converted the same way.
    const iv = exp.interventions?.[0];
    expect(iv?.action === 'set_recsys' && iv.recsys).toMatchObject({ kind: 'interest', window: 6, refresh_every: 4, recency_half_life: 3 });
  });

  it('when a set_recsys block writes its own durations then they are converted with the same step', () => {
    const yaml = withTimes('30m', {}).replace('recsys: { kind: interest }', 'recsys: { kind: interest, window: 3h, refresh_every: 2h, recency_half_life: 15m }');
    const iv = parseExperiment(yaml, 'x.yaml').interventions?.[0];
    expect(iv?.action === 'set_recsys' && iv.recsys).toMatchObject({ window: 6, refresh_every: 4, recency_half_life: 0.5 });
  });

  it('when the same durations meet another step then the steps change and the span stays', () => {
    const at1h = parseExperiment(withTimes('1h', { window: '90m' }), 'x.yaml');
    const at15m = parseExperiment(withTimes('15m', { window: '90m' }), 'x.yaml');
    expect(at1h.recsys.window).toBe(2);
    expect(at15m.recsys.window).toBe(6);
  });

  it('when activity is { per_hour } then cohorts and seeds hold the per-step probability and the cohort keeps the hourly value for its personas', () => {
    const exp = parseExperiment(withTimes('10m', { activity: '{ per_hour: 0.3 }', seedActivity: '{ per_hour: 0.5 }' }), 'x.yaml');
    expect(exp.cohorts[0]?.activity).toBeCloseTo(0.05771, 5);
    expect(exp.cohorts[0]?.hourly_activity).toEqual({ per_hour: 0.3, step_hours: 1 / 6 });
    expect(exp.seeds[0]?.activity).toBeCloseTo(1 - Math.pow(0.5, 1 / 6), 12);
  });

  it('when time-like keys are plain numbers then they mean steps as before and nothing is derived', () => {
    const exp = parseExperiment(withTimes('15m', { window: 8, refresh: 2, halfLife: 2.5, trends: 4, activity: '0.3', seedActivity: '0.5' }), 'x.yaml');
    expect(exp.recsys).toMatchObject({ window: 8, refresh_every: 2, recency_half_life: 2.5 });
    expect(exp.platform.trends?.window).toBe(4);
    expect(exp.cohorts[0]).toEqual({ name: 'all', count: 5, model: 'stat', personas: 'generated', activity: 0.3 });
    expect(exp.seeds[0]?.activity).toBe(0.5);
    expect(exp.as_written).toBeUndefined();
  });

  it('when --set gives a duration, or changes clock.step under durations, then the conversion follows', () => {
    expect(parseExperiment(withTimes('1h', {}), 'x.yaml', { overrides: ['recsys.window=90m'] }).recsys.window).toBe(2);
    const resolved = resolvedYaml(parseExperiment(withTimes('1h', { window: '6h', refresh: '2h' }), 'x.yaml'));
    const finer = parseExperiment(resolved, 'resolved.yaml', { overrides: ['clock.step=20m'] });
    expect(finer.recsys).toMatchObject({ window: 18, refresh_every: 6 });
  });
});

describe('rounding warnings', () => {
  it('when a window is not a whole number of steps then it is accepted, rounded up, with a located warning', () => {
    const { experiment, warnings } = parseExperimentWithWarnings(withTimes('1h', { window: '90m' }), 'x.yaml');
    expect(experiment.recsys.window).toBe(2);
    expect(warnings.map(formatIssue)).toEqual(['x.yaml:8:34 recsys.window: 90m is 1.5 steps of 1h; rounded up to 2 steps (2h), so the whole span is covered']);
  });

  it('when a refresh interval is inexact or shorter than a step then the warning says what it became', () => {
    const { warnings } = parseExperimentWithWarnings(withTimes('3m', { refresh: '10m', trends: '30s' }), 'x.yaml');
    expect(warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'recsys.refresh_every: 10m is 3.33 steps of 3m; rounded to 3 steps (9m)',
      'platform.trends.window: 30s is 0.17 steps of 3m; rounded up to 1 step (3m), so the whole span is covered',
    ]);
    const short = parseExperimentWithWarnings(withTimes('1h', { refresh: '10m' }), 'x.yaml');
    expect(short.experiment.recsys.refresh_every).toBe(1);
    expect(short.warnings.map((w) => w.message)).toEqual(['10m is shorter than a step (1h); taken as 1 step: feeds refresh every step']);
  });

  it('when durations are whole steps, a half-life, or activity per hour then there is no warning, and a set_recsys inheriting a rounded key does not repeat it', () => {
    expect(parseExperimentWithWarnings(withTimes('15m', { window: '90m', refresh: '1h', halfLife: '7m', trends: '2h', activity: '{ per_hour: 0.3 }' }), 'x.yaml').warnings).toEqual([]);
    expect(parseExperimentWithWarnings(withTimes('1h', { window: '90m' }), 'x.yaml').warnings.map((w) => w.path)).toEqual(['recsys.window']);
  });

  it('when socialsim validate meets a rounded duration then the file is valid and the warning is printed in the file:line:col form', () => {
    const dir = mkdtempSync(join(tmpdir(), 'socialsim-durations-'));
    try {
      const file = join(dir, 'exp.yaml');
      writeFileSync(file, withTimes('1h', { window: '90m' }));
      const summary = validateExperiments([file]);
      expect(summary.valid).toBe(1);
      expect(summary.lines[1]).toBe(`warning: ${file}:8:34 recsys.window: 90m is 1.5 steps of 1h; rounded up to 2 steps (2h), so the whole span is covered`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('schema errors for time-like values', () => {
  it('when a duration is malformed, zero, negative or fractional steps then each is located with what is accepted', () => {
    const issues = issuesOf(`name: t
cohorts: [{ name: a, count: 1, model: stat }]
recsys:
  window: 6x
  refresh_every: 1.5
  recency_half_life: 0m
platform:
  trends: { window: -1h }
`);
    expect(issues.map(formatIssue)).toEqual([
      'exp.yaml:4:11 recsys.window: must be a number of steps ≥ 1 or a duration like 6h, 90m, 30s or 1d, got "6x"',
      'exp.yaml:5:18 recsys.refresh_every: must be a number of steps ≥ 1 or a duration like 6h, 90m, 30s or 1d, got 1.5',
      'exp.yaml:6:22 recsys.recency_half_life: must be a number of steps > 0 or a duration like 6h, 90m, 30s or 1d, got "0m"',
      'exp.yaml:8:21 platform.trends.window: must be a number of steps ≥ 1 or a duration like 6h, 90m, 30s or 1d, got "-1h"',
    ]);
  });

  it('when a set_recsys duration is bad then it is located in the intervention', () => {
    const issues = issuesOf(`name: t
cohorts: [{ name: a, count: 1, model: stat }]
interventions:
  - { at: 1, action: set_recsys, recsys: { window: 2 hours } }
`);
    expect(issues.map(formatIssue)).toEqual([
      'exp.yaml:4:52 interventions[0].recsys.window: must be a number of steps ≥ 1 or a duration like 6h, 90m, 30s or 1d, got "2 hours"',
    ]);
  });

  it('when activity per hour is out of range, misspelt or not a mapping then each is located', () => {
    const issues = issuesOf(`name: t
cohorts:
  - { name: a, count: 1, model: stat, activity: { per_hour: 1.2 } }
  - { name: b, count: 1, model: stat, activity: { per_hr: 0.3 } }
  - { name: c, count: 1, model: stat, activity: often }
seeds:
  - { name: s, kind: news, model: stat, activity: { per_hour: 0 } }
`);
    expect(issues.map(formatIssue)).toEqual([
      'exp.yaml:3:61 cohorts[0].activity.per_hour: must be number between 0 and 1, got 1.2',
      'exp.yaml:4:49 cohorts[1].activity.per_hour: missing required key "per_hour"',
      'exp.yaml:4:51 cohorts[1].activity.per_hr: unknown key "per_hr"; did you mean "per_hour"?',
      'exp.yaml:5:49 cohorts[2].activity: must be a probability per step between 0 and 1, or { per_hour: p } with p between 0 and 1, got "often"',
      'exp.yaml:7:63 seeds[0].activity.per_hour: must be number > 0, got 0',
    ]);
  });
});

/** Numbers everywhere: this experiment's hash was taken before durations existed. */
const NUMERIC = `name: numeric-times
seed: 3
clock: { timesteps: 12, step: 15m }
models:
  stat: { provider: statistical }
  llm: { provider: openai-compatible, model: m, host: 127.0.0.1, ports: [8000] }
cohorts:
  - { name: all, count: 50, model: stat, activity: 0.3 }
recsys: { kind: twitter, refresh_every: 2, window: 8, recency_half_life: 2.5 }
platform: { trends: { algorithm: velocity, window: 4 } }
seeds:
  - { name: Bot, kind: custom, model: llm, activity: 0.5 }
interventions:
  - { at: 6, action: set_recsys, recsys: { kind: interest, window: 3, refresh_every: 1, recency_half_life: 1 } }
`;

describe('config hash and resolved YAML', () => {
  it('when an experiment writes every time-like key as a number then its hash is the one it had before durations', () => {
    expect(configHash(parseExperiment(NUMERIC, 'n.yaml'))).toBe('d8a50f3481af2876a3c9e0b9bcaf6af693405b4b5376376d0bf339e284bd8903');
    const yaml = resolvedYaml(parseExperiment(NUMERIC, 'n.yaml'));
    expect(yaml).toContain('  window: 8\n');
    expect(yaml).not.toContain('as_written');
  });

  it('when a key is a duration then the hash covers it as written: different from the same number of steps, even one equal to the default', () => {
    const steps = parseExperiment(withTimes('1h', { window: 6 }), 'x.yaml');
    const hours = parseExperiment(withTimes('1h', { window: '6h' }), 'x.yaml');
    expect(hours.recsys).toEqual(steps.recsys);
    expect(configHash(hours)).not.toBe(configHash(steps));
    // 24h at 1h is 24 steps, recsys.window's default, but it was written: it stays in the hash.
    const dflt = parseExperiment(withTimes('1h', { window: 24 }), 'x.yaml');
    const day = parseExperiment(withTimes('1h', { window: '24h' }), 'x.yaml');
    expect(day.recsys.window).toBe(24);
    expect(configHash(day)).not.toBe(configHash(dflt));
    // Per hour is not per step either, even where they are the same number at 1h.
    const perStep = parseExperiment(withTimes('1h', { activity: '0.3' }), 'x.yaml');
    const perHour = parseExperiment(withTimes('1h', { activity: '{ per_hour: 0.3 }' }), 'x.yaml');
    expect(perHour.cohorts[0]?.activity).toBe(0.3);
    expect(configHash(perHour)).not.toBe(configHash(perStep));
  });

  it('when an experiment with durations is resolved then the YAML shows them as written and loads back to an equal experiment and hash', () => {
    const exp = parseExperiment(withTimes('15m', { window: '90m', refresh: '1h', halfLife: '45m', trends: '2h', activity: '{ per_hour: 0.3 }', seedActivity: '{ per_hour: 0.5 }' }), 'x.yaml');
    const yaml = resolvedYaml(exp);
    for (const line of ['  window: 90m', '  refresh_every: 1h', '  recency_half_life: 45m', '    window: 2h', '      per_hour: 0.3', '      per_hour: 0.5']) expect(yaml).toContain(`${line}\n`);
    expect(yaml).not.toContain('hourly_activity');
    expect(yaml).not.toContain('as_written');
    const again = parseExperiment(yaml, 'resolved.yaml');
    expect(again).toEqual(exp);
    expect(configHash(again)).toBe(configHash(exp));
  });
});
