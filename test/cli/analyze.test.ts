/**
 * `socialsim analyze` and the analyses `run` writes: analysis.duckdb beside sim.duckdb, the run's
 * own record untouched, re-running replaces, and the real side read from the dataset's posts.
 * The first analyze goes through the real binary; the other command lines run in this process
 * (test/helpers/cli.ts), as main.ts runs them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { withSimDb } from '../../src/analysis/open.js';
import { ANALYSIS_NAMES } from '../../src/analysis/suite.js';
import { loadExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { cli, cliInProcess } from '../helpers/cli.js';

const SCHEMA = new URL('../../schemas/experiment.schema.json', import.meta.url);

/**
 * 30 real accounts with 3 posts each, an hour apart, every one with a link, an emoji and #tech;
 * the statistical agents' templated posts carry no link.
 */
let dir: string;
let runDir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'socialsim-analyze-'));
  const users = ['user_id,screen_name', ...Array.from({ length: 30 }, (_, i) => `${100 + i},real_${i}`)];
  const posts = ['tweet_id,user_id,text,created_at'];
  for (let i = 0; i < 30; i++) for (let j = 0; j < 3; j++) posts.push(`${5000 + i * 3 + j},${100 + i},"Read this http://news.example/${i}/${j} 😀 #tech",${1704067200 + 3600 * j + 60 * i}`);
  writeFileSync(join(dir, 'users.csv'), `${users.join('\n')}\n`);
  writeFileSync(join(dir, 'posts.csv'), `${posts.join('\n')}\n`);
  writeFileSync(join(dir, 'follows.csv'), `src,dst\n${Array.from({ length: 30 }, (_, i) => `${100 + i},${100 + ((i + 1) % 30)}`).join('\n')}\n`);
  writeFileSync(
    join(dir, 'exp.yaml'),
    `name: sim-vs-real
seed: 3
clock: { timesteps: 4, step: 1h }
dataset:
  users: { path: users.csv, columns: { id: user_id, username: screen_name } }
  posts: { path: posts.csv, columns: { id: tweet_id, author: user_id, time: created_at } }
  follows: { path: follows.csv, columns: { follower: src, followee: dst } }
  generate: { topics: [politics, tech], follows_per_agent: 3 }
models:
  stat: { provider: statistical, post_prob: 0.5 }
cohorts:
  - { name: real, count: 30, model: stat, personas: dataset, activity: 0.8 }
  - { name: made, count: 30, model: stat, activity: 0.8 }
`,
  );
  runDir = (await runExperiment(loadExperiment(join(dir, 'exp.yaml')), { resultsRoot: join(dir, 'results'), quiet: true })).dir;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const analysisDb = (): string => join(runDir, 'analysis.duckdb');

describe('socialsim analyze', () => {
  it('when it analyses a run then analysis.duckdb holds every analysis, sim.duckdb is unchanged, and the real side is the dataset’s posts', async () => {
    const before = await tableChecksums(join(runDir, 'sim.duckdb'));
    const r = cli(['analyze', runDir], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const name of ANALYSIS_NAMES) expect(r.stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
    expect(await tableChecksums(join(runDir, 'sim.duckdb'))).toEqual(before);
    await withSimDb(analysisDb(), async (db) => {
      expect((await db.query<{ name: string }>('SELECT name FROM analyses ORDER BY name')).map((a) => a.name)).toEqual([...ANALYSIS_NAMES].sort());
      const style = await db.query<{ feature: string; jsd: number; real_mean: number; real_posts: number }>(`SELECT feature, jsd, real_mean, real_posts FROM similarity_style WHERE cohort = 'all'`);
      const of = (f: string): (typeof style)[number] => style.find((s) => s.feature === f)!;
      // Every real post has one link and agents' none: disjoint distributions, 1 bit.
      expect(of('urls')).toMatchObject({ jsd: 1, real_mean: 1, real_posts: 90 });
      expect(of('emoji').real_mean).toBe(1);
      expect(of('hashtags').jsd).toBe(0); // one #tag in every post on both sides
      const gaps = await db.one<{ real_n: number; real_median: number }>(`SELECT real_n, real_median FROM similarity_activity WHERE measure = 'inter_event_s'`);
      // 30 accounts × 2 gaps of an hour.
      expect(gaps).toEqual({ real_n: 60, real_median: 3600 });
      const posts = await db.one<{ ks: number; real_median: number }>(`SELECT ks, real_median FROM similarity_activity WHERE measure = 'posts_per_user'`);
      expect(posts!.real_median).toBe(3);
      const detector = await db.one<{ auc: number }>(`SELECT auc FROM similarity_detector WHERE cohort = 'all'`);
      expect(detector!.auc).toBeGreaterThan(0.95); // the link gives them away
      // Real posts on hour steps from the first: account i posts at +60·i s, +1 h and +2 h.
      const realTech = await db.query<{ step: number; n: number }>(
        `SELECT step, sum(count)::INTEGER AS n FROM trend_counts WHERE side = 'real' AND kind = 'tag' AND term = 'tech' GROUP BY step ORDER BY step`,
      );
      expect(realTech).toEqual([{ step: 0, n: 30 }, { step: 1, n: 30 }, { step: 2, n: 30 }]);
      const sides = await db.query<{ side: string; posts: number }>(`SELECT side, posts FROM sentiment_overall ORDER BY side`);
      expect(sides.find((s) => s.side === 'real')!.posts).toBe(90);
      // The README's table of analysis.duckdb is the file's tables and columns, in order.
      const columns = await db.query<{ t: string; c: string }>(`SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_catalog = current_database() ORDER BY table_name, ordinal_position`);
      const actual = new Map<string, string[]>();
      for (const { t, c } of columns) actual.set(t, [...(actual.get(t) ?? []), c]);
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const part = readme.slice(readme.indexOf('## Analyses'), readme.indexOf('\n## ', readme.indexOf('## Analyses') + 5));
      const listed = new Map([...part.matchAll(/^\| `(\w+)` \| ([^|]+) \|$/gm)].map((m) => [m[1]!, m[2]!.split(',').map((c) => c.trim())]));
      expect(Object.fromEntries(listed)).toEqual(Object.fromEntries(actual));
    });
  });

  it('when it runs again with --only then the file is replaced by just those analyses', async () => {
    const r = await cliInProcess(['analyze', runDir, '--only', 'trends', '-q'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/analysis\.duckdb$/);
    await withSimDb(analysisDb(), async (db) => {
      expect(await db.query('SELECT name FROM analyses')).toEqual([{ name: 'trends' }]);
      const tables = await db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_catalog = current_database() ORDER BY t`);
      expect(tables.map((t) => t.t)).toEqual(['analyses', 'meta', 'trend_bursts', 'trend_counts', 'trend_rising']);
    });
    expect(existsSync(`${analysisDb()}.tmp`)).toBe(false);
  });

  it('when given a sweep folder then it analyses each of the sweep’s runs that has a database', async () => {
    const sweep = join(dir, 'results', 'sim-vs-real', 'sweep-00ff');
    mkdirSync(sweep);
    const runId = runDir.split('/').pop()!;
    const runs = [runId, '000000000000'].map((id) => ({ run_id: id, config_hash: id, params: {}, overrides: [], status: 'pending' }));
    writeFileSync(join(sweep, 'sweep.json'), JSON.stringify({ sweep_id: '00ff', experiment: 'sim-vs-real', file: 'exp.yaml', base_overrides: [], params: [], runs }));
    const r = await cliInProcess(['analyze', sweep, '--only', 'sentiment', '-q'], dir);
    expect(r.code).toBe(0);
    // The second run was never started: nothing to analyse.
    expect(r.stdout.trim().split('\n')).toEqual([join('results', 'sim-vs-real', runId, 'analysis.duckdb')]);
  });

  it('when given an experiment file then its dataset is analysed alone: the real side holds it, the simulated side is empty', async () => {
    const r = await cliInProcess(['analyze', 'exp.yaml', '--out', 'alone', '--only', 'sentiment,trends', '-q'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(join('alone', 'sim-vs-real', 'dataset-analysis.duckdb'));
    await withSimDb(join(dir, r.stdout.trim()), async (db) => {
      const sides = await db.query<{ side: string; posts: number }>(`SELECT side, posts FROM sentiment_overall ORDER BY side`);
      expect(sides).toEqual([{ side: 'real', posts: 90 }, { side: 'sim', posts: 0 }]);
      const real = await db.one<{ n: number }>(`SELECT sum(count)::INTEGER AS n FROM trend_counts WHERE side = 'real' AND term = 'tech' AND kind = 'tag'`);
      expect(real!.n).toBe(90);
    });
    // Nothing of the temporary step-0 run is left under the results root.
    expect(readdirSync(join(dir, 'alone', 'sim-vs-real'))).toEqual(['dataset-analysis.duckdb']);
  });

  it('when an analysis is unknown, the folder is not a run or the run is being written then it exits 2 and says what it expected', async () => {
    const unknown = await cliInProcess(['analyze', runDir, '--only', 'trends,moods'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown analysis: moods; choose from trends, sentiment, similarity, clusters, persona');
    const notRun = await cliInProcess(['analyze', join(dir, 'results')], dir);
    expect(notRun.code).toBe(2);
    expect(notRun.stderr).toContain('pass one of them, e.g.: socialsim analyze');
    // A run another live process is writing is not read half-done. (Not this one: the command
    // runs in this process, and a lock of its own process is its own.)
    const writer = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    writeFileSync(join(runDir, 'run.lock'), JSON.stringify({ pid: writer.pid, start: null }));
    try {
      const live = await cliInProcess(['analyze', runDir, '--only', 'trends'], dir);
      expect(live.code).toBe(2);
      expect(live.stderr).toContain(`this run is being written by PID ${writer.pid}`);
    } finally {
      writer.kill('SIGKILL');
      rmSync(join(runDir, 'run.lock'));
    }
  });

  it('when the schema lists the analyses run may enable then they are exactly the suite', () => {
    const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as { properties: { analysis: { properties: { enable: { items: { enum: string[] } } } } } };
    expect(schema.properties.analysis.properties.enable.items.enum).toEqual([...ANALYSIS_NAMES]);
  });
});

describe('socialsim run', () => {
  it('when analysis.enable names analyses then run writes just those beside the report, and [] writes none', async () => {
    const some = await cliInProcess(['run', 'exp.yaml', '--out', 'some', '-q', '--set', 'analysis.enable=[sentiment]'], dir);
    expect(some.code).toBe(0);
    const file = /analyses:\s+(\S+)/.exec(some.stdout)?.[1];
    expect(file).toMatch(/analysis\.duckdb$/);
    await withSimDb(join(dir, file!), async (db) => expect(await db.query('SELECT name FROM analyses')).toEqual([{ name: 'sentiment' }]));
    const none = await cliInProcess(['run', 'exp.yaml', '--out', 'none', '-q', '--set', 'analysis.enable=[]'], dir);
    expect(none.code).toBe(0);
    expect(none.stdout).not.toContain('analyses:');
    expect(existsSync(join(dir, file!.replace(/^some/, 'none')))).toBe(false);
    expect(existsSync(join(dir, file!.replace(/^some/, 'none').replace('analysis.duckdb', 'sim.duckdb')))).toBe(true);
  });
});
