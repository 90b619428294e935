import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseExperiment } from '../../src/config/load.js';
import { tempDir } from '../helpers/tmp.js';

const BASE = `name: d
models: { stat: { provider: statistical } }
`;

function issues(yaml: string): string[] {
  try {
    parseExperiment(yaml, 'd.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('dataset config', () => {
  it('when every table is configured then the experiment carries them with absolute paths, on_bad_row and columns filled', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    for (const f of ['users.csv', 'f.jsonl.gz', 'p.tsv', 'c.csv']) writeFileSync(join(dir, 'data', f), '');
    const exp = parseExperiment(
      `${BASE}dataset:
  users: { path: data/users.csv, columns: { id: user_id, bio: description }, on_bad_row: skip }
  follows: { path: data/f.jsonl.gz, columns: { follower: src, followee: dst } }
  posts: { path: data/p.tsv, format: csv }
  cascades: { path: data/c.csv }
cohorts:
  - { name: real, count: 5, model: stat, personas: dataset }
  - { name: mix, count: 5, model: stat, personas: mixed }
`,
      join(dir, 'd.yaml'),
    );
    expect(exp.dataset.users).toEqual({ path: join(dir, 'data/users.csv'), columns: { id: 'user_id', bio: 'description' }, on_bad_row: 'skip' });
    expect(exp.dataset.follows).toEqual({ path: join(dir, 'data/f.jsonl.gz'), columns: { follower: 'src', followee: 'dst' }, on_bad_row: 'fail' });
    expect(exp.dataset.posts).toEqual({ path: join(dir, 'data/p.tsv'), format: 'csv', columns: {}, on_bad_row: 'fail' });
    expect(exp.cohorts.map((c) => c.personas)).toEqual(['dataset', 'mixed']);
  });

  it('when a dataset file does not exist then the loader names it at its line', () => {
    expect(issues(`${BASE}dataset:\n  users: { path: nowhere/users.csv }\ncohorts: [{ name: a, count: 1, model: stat, personas: dataset }]\n`)).toContain(
      `dataset.users.path: file not found: ${join(process.cwd(), 'nowhere/users.csv')}`,
    );
  });

  it('when the new generate options are absent then nothing is filled in (a default would change every existing config hash)', () => {
    const exp = parseExperiment(`${BASE}cohorts: [{ name: a, count: 1, model: stat }]\n`, 'd.yaml');
    expect(Object.keys(exp.dataset)).toEqual(['generate']);
    expect(Object.keys(exp.dataset.generate).sort()).toEqual(['follows_per_agent', 'homophily', 'initial_posts_per_agent', 'interests_per_agent', 'topics']);
  });

  it('when the generate options are all set then they validate', () => {
    const exp = parseExperiment(
      `${BASE}dataset:
  generate:
    stance_topics: [immigration]
    polarization: 0.8
    stance_homophily: 0.5
    age_bands: { young: 2, old: 1 }
    activity_distribution: { kind: lognormal, sigma: 1.5 }
    follow_model: preferential
    attachment_offset: 3
cohorts: [{ name: a, count: 1, model: stat }]
`,
      'd.yaml',
    );
    expect(exp.dataset.generate).toMatchObject({ stance_topics: ['immigration'], follow_model: 'preferential', activity_distribution: { kind: 'lognormal', sigma: 1.5 } });
  });

  it('when a cohort takes dataset personas without dataset.users then the config is refused saying what to add', () => {
    expect(issues(`${BASE}cohorts: [{ name: a, count: 1, model: stat, personas: mixed }]\n`)).toEqual([
      'cohorts[0].personas: personas mixed takes real accounts from dataset.users, which is not set; add dataset.users: { path: <users.csv> } or use generated',
    ]);
  });

  it('when follows come without users, a path has no known extension, or a column key is unknown then each is reported', () => {
    const found = issues(`${BASE}dataset:
  follows: { path: f.txt, columns: { folower: a } }
cohorts: [{ name: a, count: 1, model: stat }]
`);
    expect(found).toContain('dataset.follows: dataset.follows refers to accounts by id, so it needs dataset.users, the file that lists them');
    expect(found).toContain('dataset.follows.path: cannot tell the format from the extension of "f.txt" (.csv, .jsonl, .ndjson, optionally .gz; .parquet); add format: csv, jsonl or parquet');
    expect(found.some((m) => m.startsWith('dataset.follows.columns.folower:') && m.includes('follower'))).toBe(true);
  });

  it('when stance options are set without stance_topics then they are reported as having no effect', () => {
    expect(issues(`${BASE}dataset: { generate: { polarization: 1 } }\ncohorts: [{ name: a, count: 1, model: stat }]\n`)).toEqual([
      'dataset.generate.polarization: has no effect without stance_topics: list the topics personas hold stances on, or remove it',
    ]);
  });
});
