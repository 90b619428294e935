/**
 * Malformed experiments caught by the JSON Schema: each case asserts the line (and column), the field path and the message.
 * The YAML is inline so the line numbers can be checked by eye (line 1 is the first line after
 * the opening backtick).
 */
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/config/load.js';
import { issuesOf, one } from '../helpers/config-issues.js';

describe('schema errors', () => {
  it('wrong type: count: ten', () => {
    const i = one(`name: t
cohorts:
  - name: a
    count: ten
    model: stat
`);
    expect(i).toEqual({ file: 'exp.yaml', line: 4, col: 12, path: 'cohorts[0].count', message: 'must be integer ≥ 1, got "ten"' });
    expect(formatIssue(i)).toBe('exp.yaml:4:12 cohorts[0].count: must be integer ≥ 1, got "ten"');
  });

  it('below minimum / above maximum', () => {
    const issues = issuesOf(`name: t
cohorts:
  - { name: a, count: 0, model: stat, activity: 1.5 }
`);
    expect(issues).toEqual([
      { file: 'exp.yaml', line: 3, col: 23, path: 'cohorts[0].count', message: 'must be integer ≥ 1, got 0' },
      { file: 'exp.yaml', line: 3, col: 49, path: 'cohorts[0].activity', message: 'must be a probability per step between 0 and 1, or { per_hour: p } with p between 0 and 1, got 1.5' },
    ]);
  });

  it('unknown key with did-you-mean points at the key', () => {
    const i = one(`name: t
clock:
  timestep: 48
cohorts: [{ name: a, count: 1, model: stat }]
`);
    expect(i).toMatchObject({ line: 3, col: 3, path: 'clock.timestep', message: 'unknown key "timestep"; did you mean "timesteps"?' });
  });

  it('unknown key without a close match lists the allowed keys', () => {
    const i = one(`name: t
cohorts: [{ name: a, count: 1, model: stat }]
report: { colour: blue }
`);
    expect(i).toMatchObject({ line: 3, col: 11, path: 'report.colour', message: 'unknown key "colour"; allowed keys: top_posts, auto' });
  });

  it('enum typo with did-you-mean', () => {
    const i = one(`name: t
cohorts: [{ name: a, count: 1, model: stat }]
recsys:
  kind: popularty
`);
    expect(i).toMatchObject({
      line: 4,
      col: 9,
      path: 'recsys.kind',
      message: 'must be one of: random, popularity, reddit-hot, twitter, interest, trace, mf, lightgcn, multvae; got "popularty" (did you mean "popularity"?)',
    });
  });

  it('unknown model provider with did-you-mean', () => {
    const i = one(`name: t
models:
  stat: { provider: statistcal }
cohorts: [{ name: a, count: 1, model: stat }]
`);
    expect(i).toMatchObject({
      line: 3,
      col: 21,
      path: 'models.stat.provider',
      message: 'must be one of: statistical, openai-compatible, openai; got "statistcal" (did you mean "statistical"?)',
    });
  });

  it('unknown key inside a model variant', () => {
    const i = one(`name: t
models:
  stat:
    provider: statistical
    read_depht: 5
cohorts: [{ name: a, count: 1, model: stat }]
`);
    expect(i).toMatchObject({ line: 5, col: 5, path: 'models.stat.read_depht', message: 'unknown key "read_depht"; did you mean "read_depth"?' });
  });

  it('bad duration pattern', () => {
    const i = one(`name: t
clock: { step: 1hr }
cohorts: [{ name: a, count: 1, model: stat }]
`);
    expect(i).toMatchObject({ line: 2, col: 16, path: 'clock.step', message: 'must be a duration like 1h, 15m, 30s or 1d, got "1hr"' });
  });

  it('bad date-time', () => {
    const i = one(`name: t
clock:
  start: 2024-13-45
cohorts: [{ name: a, count: 1, model: stat }]
`);
    expect(i).toMatchObject({ line: 3, col: 10, path: 'clock.start' });
    expect(i.message).toBe('must be an ISO-8601 date-time like 2024-01-01T00:00:00Z, got "2024-13-45"');
  });

  it('missing required: cohorts and name point at the parent mapping', () => {
    const issues = issuesOf(`# no name, no cohorts
seed: 3
`);
    expect(issues).toEqual([
      { file: 'exp.yaml', line: 2, col: 1, path: 'name', message: 'missing required key "name"' },
      { file: 'exp.yaml', line: 2, col: 1, path: 'cohorts', message: 'missing required key "cohorts"' },
    ]);
  });

  it('missing required key in a list item points at the item', () => {
    const i = one(`name: t
cohorts:
  - name: a
    count: 3
`);
    expect(i).toMatchObject({ line: 3, col: 5, path: 'cohorts[0].model', message: 'missing required key "model"' });
  });

  it('empty value is reported at its key', () => {
    const i = one(`name: t
cohorts:
  - name: a
    count:
    model: stat
`);
    expect(i).toMatchObject({ line: 4, col: 5, path: 'cohorts[0].count', message: 'must be integer ≥ 1, got an empty value' });
  });
});
