import { describe, expect, it } from 'vitest';
import type { ActivationConfig, ClockConfig } from '../../src/config/types.js';
import type { Persona } from '../../src/data/personas.js';
import { activeAgents, hourlyMultipliers } from '../../src/engine/activation.js';
import { SimClock } from '../../src/engine/clock.js';

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const argmax = (xs: readonly number[]): number => xs.indexOf(Math.max(...xs));
const argmin = (xs: readonly number[]): number => xs.indexOf(Math.min(...xs));

function personas(n: number, activity: number | ((i: number) => number)): Persona[] {
  return Array.from({ length: n }, (_, i) => ({
    userId: i,
    username: `u${i}`,
    name: `U ${i}`,
    bio: '',
    cohort: 'a',
    model: 'stat',
    interests: ['tech'],
    activity: typeof activity === 'number' ? activity : activity(i),
    influence: 1,
  }));
}

const CUSTOM = Array.from({ length: 24 }, (_, h) => (h < 12 ? 1 : 3));

describe('hourlyMultipliers', () => {
  const profiles: ActivationConfig[] = [{ profile: 'flat' }, { profile: 'diurnal' }, { profile: 'custom', hourly: CUSTOM }];
  for (const cfg of profiles) {
    it(`when the profile is ${cfg.profile} then there are 24 non-negative multipliers with mean 1`, () => {
      const m = hourlyMultipliers(cfg);
      expect(m).toHaveLength(24);
      expect(mean(m)).toBeCloseTo(1, 10);
      expect(Math.min(...m)).toBeGreaterThanOrEqual(0);
    });
  }

  it('when the profile is flat then every hour is 1', () => {
    expect(hourlyMultipliers({ profile: 'flat' })).toEqual(new Array(24).fill(1));
  });

  it('when the profile is diurnal then it peaks in the evening and is lowest at night', () => {
    const m = hourlyMultipliers({ profile: 'diurnal' });
    expect(argmax(m)).toBeGreaterThanOrEqual(18);
    expect(argmax(m)).toBeLessThanOrEqual(22);
    expect(argmin(m)).toBeGreaterThanOrEqual(1);
    expect(argmin(m)).toBeLessThanOrEqual(5);
    expect(m[argmax(m)]!).toBeGreaterThan(1.3);
    expect(m[argmin(m)]!).toBeLessThan(0.3);
    // Night (0–5) is quieter than the evening (18–22) as a whole.
    expect(mean(m.slice(0, 6))).toBeLessThan(0.5 * mean(m.slice(18, 23)));
  });

  it('when the profile is custom then the given weights are used, normalised to mean 1', () => {
    // Weights 1 and 3, mean 2: multipliers 0.5 and 1.5.
    const m = hourlyMultipliers({ profile: 'custom', hourly: CUSTOM });
    for (let h = 0; h < 24; h++) expect(m[h]).toBeCloseTo(h < 12 ? 0.5 : 1.5, 12);
    const spike = Array.from({ length: 24 }, (_, h) => (h === 7 ? 24 : 0));
    const s = hourlyMultipliers({ profile: 'custom', hourly: spike });
    expect(s[7]).toBeCloseTo(24, 12);
    expect(s.filter((x, h) => h !== 7 && x !== 0)).toEqual([]);
  });

  it('when custom weights are scaled then the multipliers are unchanged', () => {
    const a = hourlyMultipliers({ profile: 'custom', hourly: CUSTOM });
    const b = hourlyMultipliers({ profile: 'custom', hourly: CUSTOM.map((w) => w * 37) });
    for (let h = 0; h < 24; h++) expect(b[h]).toBeCloseTo(a[h]!, 12);
  });
});

describe('activeAgents', () => {
  const many = personas(20_000, 0.2);

  it('when 20,000 agents have activity 0.2 and the multiplier is 1 then about 20% act', () => {
    const share = activeAgents(1, 3, 1, many).length / many.length;
    expect(share).toBeGreaterThan(0.19);
    expect(share).toBeLessThan(0.21);
  });

  it('when the multiplier is 1.5 or 0.25 then the share scales with it', () => {
    const high = activeAgents(1, 3, 1.5, many).length / many.length;
    const low = activeAgents(1, 3, 0.25, many).length / many.length;
    expect(high).toBeGreaterThan(0.29);
    expect(high).toBeLessThan(0.31);
    expect(low).toBeGreaterThan(0.045);
    expect(low).toBeLessThan(0.055);
  });

  it('when activity × multiplier exceeds 1 then every agent acts', () => {
    const ps = personas(500, 0.6);
    expect(activeAgents(1, 0, 2, ps)).toHaveLength(500);
  });

  it('when activity or the multiplier is 0 then nobody acts', () => {
    expect(activeAgents(1, 0, 1, personas(500, 0))).toEqual([]);
    expect(activeAgents(1, 0, 0, personas(500, 0.9))).toEqual([]);
  });

  it('when agents differ in activity then each acts at its own rate', () => {
    // Even ids 0.1, odd ids 0.5.
    const ps = personas(20_000, (i) => (i % 2 === 0 ? 0.1 : 0.5));
    const active = activeAgents(2, 4, 1, ps);
    const even = active.filter((p) => p.userId % 2 === 0).length / 10_000;
    const odd = active.filter((p) => p.userId % 2 === 1).length / 10_000;
    expect(Math.abs(even - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(odd - 0.5)).toBeLessThan(0.02);
  });

  it('when called twice with one seed and step then the same agents act, ids ascending', () => {
    const a = activeAgents(5, 7, 1, many).map((p) => p.userId);
    expect(activeAgents(5, 7, 1, many).map((p) => p.userId)).toEqual(a);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    // An agent's draw does not depend on the other agents in the list.
    const sub = many.filter((p) => p.userId % 3 === 0);
    expect(activeAgents(5, 7, 1, sub).map((p) => p.userId)).toEqual(a.filter((id) => id % 3 === 0));
  });

  it('when the step or seed changes then a different set acts', () => {
    const ids = (seed: number, step: number): number[] => activeAgents(seed, step, 1, many).map((p) => p.userId);
    const base = ids(5, 7);
    const nextStep = ids(5, 8);
    const otherSeed = ids(6, 7);
    expect(nextStep).not.toEqual(base);
    expect(otherSeed).not.toEqual(base);
    // Independent draws: overlap ≈ 0.2 × |base|, not ≈ |base|.
    const inBase = new Set(base);
    expect(nextStep.filter((id) => inBase.has(id)).length).toBeLessThan(0.3 * base.length);
  });
});

describe('SimClock', () => {
  const cfg: ClockConfig = { timesteps: 96, step: '15m', step_ms: 15 * 60_000, start: '2024-03-10T23:30:00Z' };
  const clock = new SimClock(cfg);

  it('when the step is 15m then step k starts k × 15 minutes after start', () => {
    const start = Date.parse('2024-03-10T23:30:00Z');
    expect(clock.startMs).toBe(start);
    expect(clock.timeOf(0)).toBe(start);
    expect(clock.timeOf(1)).toBe(start + 900_000);
    expect(clock.timeOf(95)).toBe(start + 95 * 900_000);
    expect(clock.timesteps).toBe(96);
  });

  it('when a step is formatted then isoOf gives the UTC instant', () => {
    expect(clock.isoOf(0)).toBe('2024-03-10T23:30:00.000Z');
    expect(clock.isoOf(1)).toBe('2024-03-10T23:45:00.000Z');
    expect(clock.isoOf(2)).toBe('2024-03-11T00:00:00.000Z');
    expect(clock.isoOf(96)).toBe('2024-03-11T23:30:00.000Z');
  });

  it('when the hour of a step is asked then it is the UTC hour at the step start, wrapping at midnight', () => {
    expect(clock.hourOf(0)).toBe(23);
    expect(clock.hourOf(1)).toBe(23);
    expect(clock.hourOf(2)).toBe(0);
    expect(clock.hourOf(5)).toBe(0);
    expect(clock.hourOf(6)).toBe(1);
    // Four steps per hour: a day of steps visits each hour exactly four times.
    const hours = Array.from({ length: 96 }, (_, k) => clock.hourOf(k));
    for (let h = 0; h < 24; h++) expect(hours.filter((x) => x === h)).toHaveLength(4);
  });

  it('when start has a time-zone offset then times are still reported in UTC', () => {
    const c = new SimClock({ ...cfg, start: '2024-03-10T10:00:00+02:00' });
    expect(c.isoOf(0)).toBe('2024-03-10T08:00:00.000Z');
    expect(c.hourOf(4)).toBe(9);
  });

  it('when start is not a date then the constructor throws', () => {
    expect(() => new SimClock({ ...cfg, start: 'yesterday-ish' })).toThrow(/clock\.start is not a date/);
  });
});
