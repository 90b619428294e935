/**
 * Malformed experiments (semantic checks, YAML syntax, several at once): each case asserts the line (and column), the field path and the message.
 * The YAML is inline so the line numbers can be checked by eye (line 1 is the first line after
 * the opening backtick).
 */
import { describe, expect, it } from 'vitest';
import { formatIssue, parseExperimentWithWarnings } from '../../src/config/load.js';
import { issuesOf, one } from '../helpers/config-issues.js';

describe('semantic errors', () => {
  it('cohort model not in models, with did-you-mean', () => {
    const i = one(`name: t
cohorts:
  - name: a
    count: 1
    model: stats
`);
    expect(i).toMatchObject({ line: 5, col: 12, path: 'cohorts[0].model', message: 'unknown model "stats"; models defined: stat (did you mean "stat"?)' });
  });

  it('duplicate cohort names', () => {
    const i = one(`name: t
cohorts:
  - { name: crowd, count: 1, model: stat }
  - { name: crowd, count: 2, model: stat }
`);
    expect(i).toMatchObject({ line: 4, col: 13, path: 'cohorts[1].name', message: 'duplicate cohort name "crowd" (already used by cohorts[0])' });
  });

  it('duplicate seed names', () => {
    const i = one(`name: t
cohorts: [{ name: a, count: 1, model: stat }]
seeds:
  - name: News
  - name: News
`);
    expect(i).toMatchObject({ line: 5, col: 11, path: 'seeds[1].name', message: 'duplicate seed name "News" (already used by seeds[0])' });
  });

  it('seed post at ≥ timesteps: a warning at its line, not an error', () => {
    const { warnings } = parseExperimentWithWarnings(
      `name: t
clock: { timesteps: 12 }
cohorts: [{ name: a, count: 1, model: stat }]
seeds:
  - name: News
    posts:
      - { at: 3, text: fine }
      - { at: 12, text: too late }
`,
      'exp.yaml',
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ line: 8, col: 15, path: 'seeds[0].posts[1].at' });
    expect(warnings[0]!.message).toBe("step 12 is past the run's last step (clock.timesteps 12: steps 0..11); this post will not be made");
  });

  it('interests_per_agent above the number of topics', () => {
    const i = one(`name: t
dataset:
  generate:
    topics: [a, b]
    interests_per_agent: 3
cohorts: [{ name: a, count: 1, model: stat }]
`);
    expect(i).toMatchObject({ line: 5, col: 26, path: 'dataset.generate.interests_per_agent', message: 'must be at most the number of topics (2), got 3' });
  });

  it('api_key in YAML', () => {
    const issues = issuesOf(`name: t
models:
  gpt:
    provider: openai
    model: gpt-4o-mini
    api_key_env: OPENAI_API_KEY
    api_key: sk-not-here
cohorts: [{ name: a, count: 1, model: gpt }]
`);
    expect(issues).toEqual([
      {
        file: 'exp.yaml',
        line: 7,
        col: 5,
        path: 'models.gpt.api_key',
        message: 'API keys never go in YAML; put the key in an environment variable and name it with api_key_env',
      },
    ]);
  });

  it('custom profile without hourly, and with the wrong number of values', () => {
    const missing = one(`name: t
cohorts: [{ name: a, count: 1, model: stat }]
activation:
  profile: custom
`);
    expect(missing).toMatchObject({ line: 4, col: 3, path: 'activation.hourly' });
    expect(missing.message).toContain('profile custom needs hourly');
    const short = one(`name: t
cohorts: [{ name: a, count: 1, model: stat }]
activation:
  profile: custom
  hourly: [1, 2, 3]
`);
    expect(short).toMatchObject({ line: 5, col: 11, path: 'activation.hourly', message: 'must be a list of exactly 24 items (numbers), got 3 items' });
  });

  it('hourly without the custom profile', () => {
    const i = one(`name: t
cohorts: [{ name: a, count: 1, model: stat }]
activation:
  hourly: [${Array(24).fill(1).join(', ')}]
`);
    expect(i).toMatchObject({ line: 4, col: 3, path: 'activation.hourly', message: 'only allowed with profile custom (profile is "flat")' });
  });
});

describe('YAML-level errors', () => {
  it('unclosed flow sequence', () => {
    const i = one(`name: t
cohorts: [{ name: a, count: 1, model: stat }
recsys: { kind: random }
`);
    expect(i).toMatchObject({ line: 3, col: 1, path: '' });
    expect(i.message).toMatch(/^YAML syntax error: flow sequence .* end with a \]/);
  });

  it('bad indentation', () => {
    const i = one(`name: t
clock:
  timesteps: 4
   step: 1h
cohorts: [{ name: a, count: 1, model: stat }]
`);
    expect(i).toMatchObject({ line: 3, col: 14, path: '' });
    expect(i.message).toContain('YAML syntax error');
  });

  it('unclosed quote', () => {
    const i = one(`name: "t
cohorts: [{ name: a, count: 1, model: stat }]
`);
    expect(i.line).toBe(3);
    expect(i.message).toBe('YAML syntax error: missing closing "quote');
  });

  it('duplicate key', () => {
    const i = one(`name: t
cohorts: [{ name: a, count: 1, model: stat }]
seed: 1
seed: 2
`);
    expect(i).toMatchObject({ line: 4, col: 1, message: 'YAML syntax error: duplicate key "seed": each key may appear only once in a mapping' });
  });

  it('tab indentation', () => {
    const i = one(`name: t
clock:
\ttimesteps: 4
cohorts: [{ name: a, count: 1, model: stat }]
`);
    expect(i).toMatchObject({ line: 3, col: 1, message: 'YAML syntax error: tabs are not allowed as indentation' });
  });

  it('empty file and comment-only file', () => {
    for (const text of ['', '# nothing here\n']) {
      expect(one(text)).toMatchObject({ line: 1, col: 1, path: '(root)', message: 'the file is empty; expected a mapping with at least "name" and "cohorts"' });
    }
  });

  it('non-mapping root', () => {
    const i = one(`- name: t
- cohorts: []
`);
    expect(i).toMatchObject({ line: 1, col: 1, path: '(root)' });
    expect(i.message).toContain('must be a mapping');
    expect(i.message).toContain('got a list');
  });
});

describe('several errors at once', () => {
  it('reports 3 errors as 3 issues in order of line', () => {
    const issues = issuesOf(`name: t
recsys:
  kind: tiktok
clock:
  timesteps: 0
cohorts:
  - { name: a, count: 1, model: stat, personas: generatd }
`);
    expect(issues.map(formatIssue)).toEqual([
      'exp.yaml:3:9 recsys.kind: must be one of: random, popularity, reddit-hot, twitter, interest, trace, mf, lightgcn, multvae; got "tiktok"',
      'exp.yaml:5:14 clock.timesteps: must be integer ≥ 1, got 0',
      'exp.yaml:7:49 cohorts[0].personas: must be one of: generated, dataset, mixed; got "generatd" (did you mean "generated"?)',
    ]);
  });

  it('schema and semantic errors together, in order of line', () => {
    const issues = issuesOf(`name: t
cohorts:
  - { name: a, count: 1, model: nope }
  - { name: a, count: -1, model: stat }
report: { top_posts: many }
`);
    expect(issues.map((i) => `${i.line}:${i.col} ${i.path}`)).toEqual([
      '3:33 cohorts[0].model',
      '4:13 cohorts[1].name',
      '4:23 cohorts[1].count',
      '5:22 report.top_posts',
    ]);
  });
});
