import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../../src/config/resolve.js';
import {
  ConfigError,
  configHash,
  formatIssue,
  loadExperiment,
  parseExperiment,
  parseExperimentWithWarnings,
  resolvedYaml,
  validateFile,
  type ConfigIssue,
} from '../../src/config/load.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url));
const QUICKSTART = fileURLToPath(new URL('../../experiments/quickstart.yaml', import.meta.url));

const MINIMAL = `name: mini
cohorts:
  - { name: all, count: 10, model: stat }
`;

/** The issues a config produces (fails the test if it loads). */
function issuesOf(text: string, overrides?: string[]): ConfigIssue[] {
  try {
    parseExperiment(text, 'exp.yaml', overrides ? { overrides } : {});
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('loading valid experiments', () => {
  it('fills every default for a minimal file', () => {
    const exp = parseExperiment(MINIMAL, 'mini.yaml');
    expect(exp.name).toBe('mini');
    expect(exp.description).toBe('');
    expect(exp.seed).toBe(0);
    expect(exp.clock).toEqual({ timesteps: 24, step: '1h', start: '2024-01-01T00:00:00Z', step_ms: 3_600_000 });
    expect(exp.dataset.generate.topics).toHaveLength(8);
    expect(exp.dataset.generate).toMatchObject({ interests_per_agent: 2, follows_per_agent: 10, homophily: 0.7, initial_posts_per_agent: 1 });
    expect(exp.models).toEqual({
      stat: {
        provider: 'statistical', post_prob: 0.15, like_base: 0.04, repost_base: 0.01, topic_boost: 2,
        popularity_weight: 0.3, follow_on_engage: 0.1, unlike_prob: 0.01, unfollow_prob: 0.005, read_depth: 10,
        reply_prob: 0.02, quote_prob: 0.005, bookmark_prob: 0.01, mute_prob: 0.001, dislike_base: 0.005, report_prob: 0.001, delete_prob: 0.002,
      },
    });
    expect(exp.platform).toEqual({ report_threshold: 3 });
    expect(exp.cohorts).toEqual([{ name: 'all', count: 10, model: 'stat', personas: 'generated', activity: 0.2 }]);
    expect(exp.activation).toEqual({ profile: 'flat' });
    expect(exp.recsys).toEqual({ kind: 'popularity', refresh_every: 1, feed_size: 20, window: 24 });
    expect(exp.seeds).toEqual([]);
    expect(exp.report).toEqual({ top_posts: 10, auto: true });
  });

  it('returns a deep-frozen experiment', () => {
    const exp = parseExperiment(MINIMAL, 'mini.yaml');
    expect(Object.isFrozen(exp)).toBe(true);
    expect(Object.isFrozen(exp.cohorts[0])).toBe(true);
    expect(Object.isFrozen(exp.models.stat)).toBe(true);
  });

  it('validates experiments/quickstart.yaml', () => {
    const exp = loadExperiment(QUICKSTART);
    expect(exp.name).toBe('quickstart');
    expect(exp.seed).toBe(42);
    expect(exp.cohorts[0]?.count).toBe(1000);
    expect(exp.seeds).toHaveLength(2);
    expect(exp.seeds[0]?.posts[0]).toEqual({ at: 2, text: 'BREAKING: city council passes the new #climate bill', label: 'news' });
    expect(validateFile(QUICKSTART).ok).toBe(true);
  });

  it('loads a fixture file and derives step_ms for each unit', () => {
    expect(loadExperiment(fixture('minimal.yaml')).name).toBe('minimal');
    for (const [step, ms] of [['30s', 30_000], ['15m', 900_000], ['2h', 7_200_000], ['1d', 86_400_000]] as const) {
      expect(parseExperiment(`${MINIMAL}clock: { step: ${step} }\n`, 'x.yaml').clock.step_ms).toBe(ms);
    }
  });

  it('fills LLM model defaults and accepts cohorts on them', () => {
    const exp = parseExperiment(
      `name: llm
models:
  local: { provider: openai-compatible, model: qwen, endpoints: ["http://localhost:8000/v1"] }
  cloud: { provider: openai, model: gpt-4o-mini, api_key_env: OPENAI_API_KEY }
cohorts:
  - { name: a, count: 1, model: local }
  - { name: b, count: 1, model: cloud }
`,
      'llm.yaml',
    );
    expect(exp.models.local).toMatchObject({ max_concurrency: 64, temperature: 0.7, max_tokens: 256, timeout_s: 60, max_retries: 3, tool_mode: 'tools', memory: 10, extra_body: {}, prompts: {} });
    expect(exp.models.cloud).toMatchObject({ provider: 'openai', api_key_env: 'OPENAI_API_KEY', max_concurrency: 16, tool_mode: 'tools' });
  });

  it('when replicas are given as host + ports then they validate, and both forms at once are an error', () => {
    const ok = parseExperiment(`name: llm
models:
  local: { provider: openai-compatible, model: qwen, ports: [8000, 8001] }
cohorts: [{ name: a, count: 1, model: local }]
`, 'llm.yaml');
    expect(ok.models.local).toMatchObject({ host: '127.0.0.1', ports: [8000, 8001] });
    expect(() =>
      parseExperiment(`name: llm
models:
  local: { provider: openai-compatible, model: qwen, ports: [8000], endpoints: ["http://h:1/v1"] }
cohorts: [{ name: a, count: 1, model: local }]
`, 'llm.yaml'),
    ).toThrow(/llm\.yaml:3:\d+ models\.local\.ports: give either endpoints or host \+ ports, not both/);
    expect(() => parseExperiment(`name: llm
models:
  local: { provider: openai-compatible, model: qwen }
cohorts: [{ name: a, count: 1, model: local }]
`, 'llm.yaml')).toThrow(
      /llm\.yaml:3:10 models\.local\.endpoints: missing endpoints/,
    );
  });

  it('when prompt templates are named then their paths resolve against the experiment file, and a missing one is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prompts-'));
    try {
      mkdirSync(join(dir, 'prompts'));
      writeFileSync(join(dir, 'prompts', 'sys.md'), 'You are {{name}}.');
      const file = join(dir, 'exp.yaml');
      const yaml = (sys: string): string =>
        `name: llm
models:
  m:
    provider: openai-compatible
    model: q
    ports: [8000]
    prompts: { system: ${sys} }
cohorts: [{ name: a, count: 1, model: m }]
`;
      writeFileSync(file, yaml('prompts/sys.md'));
      expect(loadExperiment(file).models.m).toMatchObject({ prompts: { system: join(dir, 'prompts', 'sys.md') } });
      writeFileSync(file, yaml('prompts/nope.md'));
      expect(() => loadExperiment(file)).toThrow(`exp.yaml:7:24 models.m.prompts.system: prompt template not found: ${join(dir, 'prompts', 'nope.md')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts a custom profile with 24 hourly weights', () => {
    const hourly = Array.from({ length: 24 }, (_, h) => (h < 6 ? 0.1 : 1));
    const exp = parseExperiment(`${MINIMAL}activation:\n  profile: custom\n  hourly: [${hourly.join(', ')}]\n`, 'x.yaml');
    expect(exp.activation.hourly).toEqual(hourly);
  });
});

describe('overrides', () => {
  it('--set changes the result', () => {
    const exp = loadExperiment(QUICKSTART, {
      overrides: ['clock.timesteps=48', 'cohorts[0].count=5', 'recsys.kind=random', 'models.stat.post_prob=0.5'],
    });
    expect(exp.clock.timesteps).toBe(48);
    expect(exp.cohorts[0]?.count).toBe(5);
    expect(exp.recsys.kind).toBe('random');
    expect(exp.models.stat).toMatchObject({ post_prob: 0.5, like_base: 0.04 });
  });

  it('accepts dotted indexes, flow values and creates missing maps', () => {
    const exp = parseExperiment(MINIMAL, 'x.yaml', {
      overrides: ['cohorts.0.count=7', 'dataset.generate.topics=[a, b, c]', 'description="x y"', 'report.auto=false'],
    });
    expect(exp.cohorts[0]?.count).toBe(7);
    expect(exp.dataset.generate.topics).toEqual(['a', 'b', 'c']);
    expect(exp.description).toBe('x y');
    expect(exp.report.auto).toBe(false);
  });

  it('--set on the default model of a file without models', () => {
    const exp = parseExperiment(MINIMAL, 'x.yaml', { overrides: ['models.stat.post_prob=0.3'] });
    expect(exp.models.stat).toMatchObject({ provider: 'statistical', post_prob: 0.3 });
  });

  it('opts.seed replaces seed', () => {
    expect(loadExperiment(QUICKSTART, { seed: 7 }).seed).toBe(7);
  });

  it('reports a bad override value with --set as its origin', () => {
    const issues = issuesOf(MINIMAL, ['clock.timesteps=abc']);
    expect(issues).toEqual([{ file: '--set', path: 'clock.timesteps', message: 'must be integer ≥ 1, got "abc"' }]);
    expect(formatIssue(issues[0] as ConfigIssue)).toBe('--set clock.timesteps: must be integer ≥ 1, got "abc"');
  });

  it('reports a malformed --set and an unknown overridden key', () => {
    const issues = issuesOf(MINIMAL, ['clock.timesteps', 'recsys.kinds=random']);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ file: '--set', path: 'clock.timesteps' });
    expect(issues[0]?.message).toContain('expected path=value');
    expect(issues[0]?.line).toBeUndefined();
    expect(issues[1]).toMatchObject({ file: '--set', path: 'recsys.kinds', message: 'unknown key "kinds"; did you mean "kind"?' });
  });

  it('reports an override through a scalar or past the end of a list', () => {
    const issues = issuesOf(MINIMAL, ['name.x=1', 'cohorts[4].count=1']);
    expect(issues.map((i) => i.file)).toEqual(['--set', '--set']);
    expect(issues[0]?.message).toContain('name is a string');
    expect(issues[1]?.message).toContain('past the end');
  });
});

describe('resolved YAML and hash', () => {
  it('round-trips to a deep-equal experiment', () => {
    for (const exp of [loadExperiment(QUICKSTART), parseExperiment(MINIMAL, 'mini.yaml')]) {
      const yaml = resolvedYaml(exp);
      expect(yaml.startsWith('#')).toBe(true);
      expect(yaml).not.toContain('step_ms');
      const again = parseExperiment(yaml, 'resolved.yaml');
      expect(again).toEqual(exp);
      expect(configHash(again)).toBe(configHash(exp));
    }
  });

  it('configHash covers what the user wrote: values equal to their defaults, written or not, leave it unchanged', () => {
    // MINIMAL writes no default: its hash is the hash of the YAML itself.
    const written = { name: 'mini', cohorts: [{ name: 'all', count: 10, model: 'stat' }] };
    expect(configHash(parseExperiment(MINIMAL, 'a.yaml'))).toBe(createHash('sha256').update(canonicalJson(written)).digest('hex'));
    const spelledOut = `name: mini\nseed: 0\nrecsys: { kind: popularity }\nmodels: { stat: { provider: statistical } }\ncohorts:\n  - { name: all, count: 10, model: stat, activity: 0.2 }\n`;
    expect(configHash(parseExperiment(spelledOut, 'b.yaml'))).toBe(configHash(parseExperiment(MINIMAL, 'a.yaml')));
    // A value other than the default is kept, at any depth.
    expect(configHash(parseExperiment(MINIMAL.replace('model: stat', 'model: stat, activity: 0.5'), 'c.yaml'))).not.toBe(configHash(parseExperiment(MINIMAL, 'a.yaml')));
  });

  it('configHash is stable, key-order independent and changes with the seed', () => {
    const a = configHash(parseExperiment(MINIMAL, 'a.yaml'));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(configHash(parseExperiment(MINIMAL, 'a.yaml'))).toBe(a);
    const reordered = `cohorts:\n  - { model: stat, count: 10, name: all }\nname: mini\n`;
    expect(configHash(parseExperiment(reordered, 'b.yaml'))).toBe(a);
    expect(configHash(parseExperiment(MINIMAL, 'a.yaml', { seed: 1 }))).not.toBe(a);
  });
});

describe('validateFile', () => {
  it('returns issues for a broken file and a missing file', () => {
    const broken = validateFile(fixture('broken.yaml'));
    expect(broken.ok).toBe(false);
    if (!broken.ok) {
      expect(broken.issues.map((i) => `${i.line}:${i.col} ${i.path}`)).toEqual(['3:3 clock.timestep', '5:25 cohorts[0].count']);
      expect(broken.issues[0]?.file).toBe(fixture('broken.yaml'));
    }
    const missing = validateFile(fixture('nope.yaml'));
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.issues[0]?.message).toContain('no such file');
  });

  it('ConfigError lists every issue in its message and exits with 2', () => {
    try {
      loadExperiment(fixture('broken.yaml'));
      throw new Error('should fail');
    } catch (e) {
      const err = e as ConfigError;
      expect(err.code).toBe('config.invalid');
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain('broken.yaml:3:3 clock.timestep: unknown key "timestep"; did you mean "timesteps"?');
      expect(err.message).toContain('broken.yaml:5:25 cohorts[0].count: must be integer ≥ 1, got "ten"');
    }
  });
});

describe('surveys and budgets', () => {
  const base = `name: s\nclock: { timesteps: 5 }\nmodels:\n  m: { provider: openai-compatible, model: q, ports: [8000] }\ncohorts: [{ name: llm, count: 2, model: m }]\n`;

  it('when a survey and a budget are given then their defaults are filled', () => {
    const exp = parseExperiment(`${base}budget: { max_requests: 100 }\nsurveys:\n  - { name: belief, at: [0, 4], question: "Do you believe it?" }\n`, 's.yaml');
    expect(exp.budget).toEqual({ max_requests: 100, on_exhausted: 'stop' });
    expect(exp.surveys).toEqual([{ name: 'belief', at: [0, 4], question: 'Do you believe it?', scale: { min: 1, max: 7 }, sample: 1 }]);
  });

  it('when a survey is asked after the last step then loading warns that the round will not be asked and goes on', () => {
    const { experiment, warnings } = parseExperimentWithWarnings(`${base}surveys:\n  - { name: b, at: [1, 5], question: q }\n`, 's.yaml');
    expect(experiment.surveys[0]!.at).toEqual([1, 5]);
    expect(warnings.map(formatIssue)).toEqual(["s.yaml:7:24 surveys[0].at[1]: step 5 is past the run's last step (clock.timesteps 5: steps 0..4); this survey round will not be asked"]);
  });

  it('when a survey is asked of an unknown cohort, or on an empty scale then each is located', () => {
    expect(() =>
      parseExperiment(`${base}surveys:\n  - { name: b, at: [1, 5], question: q, cohorts: [lm], scale: { min: 3, max: 3 } }\n`, 's.yaml'),
    ).toThrow(
      [
        '2 problems in the experiment config:',
        '  s.yaml:7:51 surveys[0].cohorts[0]: unknown cohort "lm"; cohorts: llm (did you mean "llm"?)',
        '  s.yaml:7:78 surveys[0].scale.max: must be greater than scale.min (3), got 3',
      ].join('\n'),
    );
  });
});

describe('dataset personas', () => {
  it('when a cohort asks for dataset personas without dataset.users then it is refused at its line', () => {
    expect(() => parseExperiment('name: d\ncohorts:\n  - { name: a, count: 2, model: stat, personas: dataset }\n', 'd.yaml')).toThrow(
      'd.yaml:3:49 cohorts[0].personas: personas dataset takes real accounts from dataset.users, which is not set; add dataset.users: { path: <users.csv> } or use generated',
    );
  });
});
