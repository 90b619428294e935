/**
 * Issue 15, bad input (cases 7–12, 15) at the loader: each refused as a located config issue,
 * quickly, without reading what it must not read and without echoing what it must not echo.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { confirmationNeeded, estimateRun, heapFlagsFor } from '../../src/config/capacity.js';
import { formatIssue, loadExperiment, parseExperiment, resolvedYaml, configHash } from '../../src/config/load.js';
import { issuesOf, one } from '../helpers/config-issues.js';
import { tempDir } from '../helpers/tmp.js';

const bomb = (levels: number): string => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return lines.join('\n');
};

describe('case 7: YAML alias bomb', () => {
  it('when aliases of aliases expand past the limit then it is one issue at the first alias, not a ReferenceError', () => {
    const i = one(`name: t
cohorts: [{ name: a, count: 1, model: stat }]
${bomb(8)}
`);
    // Line 4 is `a1: &a1 [*a0, …`: its first alias starts at column 10.
    expect(i).toMatchObject({ file: 'exp.yaml', line: 4, col: 10, path: '' });
    expect(i.message).toMatch(/^YAML aliases expand to too many nodes/);
  });

  it('when a --set value is an alias bomb then the override is refused with the same message', () => {
    const value = '[&a [1,1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]]';
    const issues = (() => {
      try {
        parseExperiment('name: t\ncohorts: [{ name: a, count: 1, model: stat }]\n', 'exp.yaml', { overrides: [`description=${value}`] });
      } catch (e) {
        return (e as { issues: { file: string; message: string }[] }).issues;
      }
      return [];
    })();
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: '--set', message: expect.stringMatching(/^value of "description": YAML aliases expand to too many nodes/) });
  });
});

describe('case 8: huge numbers', () => {
  it('when count is 1e9 then validation refuses it with the memory estimate, and timesteps past a million and a seed past 2^53 are refused too', () => {
    const issues = issuesOf(`name: t
seed: 9007199254740993
clock: { timesteps: 1e12 }
cohorts: [{ name: a, count: 1e9, model: stat }]
`).map(formatIssue);
    expect(issues).toEqual([
      'exp.yaml:2:7 seed: must be integer between -9007199254740991 and 9007199254740991, got 9007199254740992',
      'exp.yaml:3:21 clock.timesteps: must be at most 1,000,000, got 1,000,000,000,000',
      expect.stringMatching(/^exp\.yaml:4:29 cohorts\[0\]\.count: 1,000,000,000 agents need about [\d,]+ GiB of memory; this machine has [\d.]+ GiB\. Use fewer agents/),
    ]);
  });

  it('when the largest safe seed is given then it is kept exactly', () => {
    const exp = parseExperiment('name: t\nseed: 9007199254740991\ncohorts: [{ name: a, count: 1, model: stat }]\n', 'exp.yaml');
    expect(exp.seed).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('when a run fits the machine but not the heap or a day then it needs confirmation, with the estimate', () => {
    const limits = { totalBytes: 64 * 2 ** 30, heapLimitBytes: 4 * 2 ** 30 };
    // 1,000,000 agents, 10 follows each: resident 150 MiB + 10^6 × (4.5 KiB + 10 × 192 B) = 6,685,286,400 B ≈ 6.2 GiB;
    // JS heap 60 MiB + 10^6 × (2.75 KiB + 10 × 160 B) = 4,478,914,560 B ≈ 4.2 GiB.
    const big = estimateRun({ cohorts: [{ count: 1_000_000 }], clock: { timesteps: 2 } });
    expect(big.agents).toBe(1_000_000);
    expect(big.bytes).toBe(6_685_286_400);
    expect(big.heapBytes).toBe(4_478_914_560);
    // A heap a quarter above the estimate: 5,598,643,200 B = 5,339.3 MiB.
    expect(heapFlagsFor(big, limits)).toEqual(['--max-old-space-size=5339', '--max-semi-space-size=64', '--min-semi-space-size=64']);
    // …but never more than the machine minus the estimate's memory outside the heap (2,206,371,840 B): 6 GiB − that = 4,039.8 MiB.
    expect(heapFlagsFor(big, { totalBytes: 6 * 2 ** 30, heapLimitBytes: 2 ** 30 })).toEqual(['--max-old-space-size=4039', '--max-semi-space-size=64', '--min-semi-space-size=64']);
    expect(heapFlagsFor(estimateRun({ cohorts: [{ count: 1000 }] }), limits)).toBeNull();
    // The CLI restarts itself with that heap; a command run in-process asks for --yes instead.
    expect(confirmationNeeded(big, limits, true)).toBeNull();
    expect(confirmationNeeded(big, limits)).toBe("1,000,000 agents × 2 steps need about 4.2 GiB of JS heap, more than Node's heap limit of 4.0 GiB (raise it with NODE_OPTIONS=--max-old-space-size=5339)");
    // 1,000 agents × 1,000,000 steps: 10^6 × (0.3 + 1000 / 12000) s ≈ 4.4 days.
    const long = estimateRun({ cohorts: [{ count: 1000 }], clock: { timesteps: 1_000_000 } });
    expect(confirmationNeeded(long, limits)).toBe('1,000 agents × 1,000,000 steps need about 4 days of computing (statistical agents alone)');
    expect(confirmationNeeded(estimateRun({ cohorts: [{ count: 1000 }], clock: { timesteps: 24 } }), limits)).toBeNull();
  });
});

/** An experiment folder inside a project (package.json) with a prompt inside and a secret outside. */
function project(): { root: string; exp: string; outside: string } {
  const root = tempDir();
  mkdirSync(join(root, 'experiments', 'prompts'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{}');
  writeFileSync(join(root, 'experiments', 'prompts', 'system.md'), 'You are {name}.');
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data', 'users.csv'), 'id,username\n1,a\n');
  const outside = mkdtempSync(join(root, '..', 'socialsim-outside-'));
  writeFileSync(join(outside, 'secret.md'), 'top secret');
  return { root, exp: join(root, 'experiments'), outside };
}

const llmExperiment = (system: string, extra = ''): string => `name: t
${extra}models:
  g: { provider: openai-compatible, model: m, endpoints: ["http://127.0.0.1:1/v1"], prompts: { system: ${JSON.stringify(system)} } }
cohorts: [{ name: a, count: 1, model: g }]
`;

describe('case 9: paths that leave the experiment', () => {
  it('when a prompt template climbs out of the project then it is refused, naming data_root and allow_outside_paths', () => {
    const { exp, outside } = project();
    const file = join(exp, 'e.yaml');
    writeFileSync(file, llmExperiment(join('..', '..', outside.split('/').at(-1)!, 'secret.md')));
    expect(() => loadExperiment(file)).toThrow(/prompts\.system: prompt template .*secret\.md is outside the experiment's folder and its data root \(.*\); move it there, set data_root to a folder that holds it, or set allow_outside_paths: true/);
  });

  it('when a prompt inside the folder is a symlink to a file outside then the real path is what counts', () => {
    const { exp, outside } = project();
    symlinkSync(join(outside, 'secret.md'), join(exp, 'prompts', 'link.md'));
    const file = join(exp, 'e.yaml');
    writeFileSync(file, llmExperiment('prompts/link.md'));
    expect(() => loadExperiment(file)).toThrow(/prompt template .*link\.md \(which is .*secret\.md\) is outside/);
  });

  it('when paths stay in the project, or outside ones are allowed, then they load; the resolved copy loads again from anywhere with the same hash', () => {
    const { root, exp, outside } = project();
    const inside = join(exp, 'in.yaml');
    writeFileSync(inside, `name: t\ndataset: { users: { path: ../data/users.csv } }\ncohorts: [{ name: a, count: 1, model: stat, personas: dataset }]\n`);
    const loaded = loadExperiment(inside);
    expect(loaded.dataset.users?.path).toBe(join(root, 'data', 'users.csv'));
    expect(loaded.data_root).toBe(root);
    // A run folder's resolved copy sits elsewhere (a temp results root) and still loads, same hash.
    const copy = join(outside, 'experiment.resolved.yaml');
    writeFileSync(copy, resolvedYaml(loaded));
    expect(configHash(loadExperiment(copy))).toBe(configHash(loaded));

    const allowed = join(exp, 'allowed.yaml');
    writeFileSync(allowed, llmExperiment(join(outside, 'secret.md'), 'allow_outside_paths: true\n'));
    expect(loadExperiment(allowed).models['g']).toMatchObject({ prompts: { system: join(outside, 'secret.md') } });
    const rooted = join(exp, 'rooted.yaml');
    writeFileSync(rooted, llmExperiment(join(outside, 'secret.md'), `data_root: ${outside}\n`));
    expect(() => loadExperiment(rooted)).not.toThrow();
  });
});

describe('case 9: paths given on the command line', () => {
  it('when the user names an outside file with --set then it is accepted and the resolved copy records allow_outside_paths', () => {
    const { exp, outside } = project();
    const file = join(exp, 'e.yaml');
    writeFileSync(file, llmExperiment('prompts/system.md'));
    const loaded = loadExperiment(file, { overrides: [`models.g.prompts.system=${join(outside, 'secret.md')}`] });
    expect(loaded.allow_outside_paths).toBe(true);
    const copy = join(outside, 'experiment.resolved.yaml');
    writeFileSync(copy, resolvedYaml(loaded));
    expect(configHash(loadExperiment(copy))).toBe(configHash(loaded));
  });

  it('when a sweep matrix in the file names an outside file then it is checked like the file\'s own', () => {
    const { exp, outside } = project();
    const file = join(exp, 'e.yaml');
    writeFileSync(file, llmExperiment('prompts/system.md'));
    expect(() => loadExperiment(file, { fileOverrides: [`models.g.prompts.system=${join(outside, 'secret.md')}`] })).toThrow(/is outside the experiment's folder/);
  });
});

describe('case 10: files that are not data', () => {
  it('when a dataset path is /proc/self/environ, a FIFO or a directory then it is refused before reading', () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
    mkdirSync(join(dir, 'folder.csv'));
    const file = join(dir, 'e.yaml');
    const users = (p: string): string => `name: t\nallow_outside_paths: true\ndataset: { users: { path: ${p}, format: csv } }\ncohorts: [{ name: a, count: 1, model: stat, personas: dataset }]\n`;
    const messageOf = (p: string): string => {
      writeFileSync(file, users(p));
      try {
        loadExperiment(file);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(messageOf('/proc/self/environ')).toMatch(/dataset\.users\.path: file \/proc\/self\/environ \(which is \/proc\/\d+\/environ\) is not a regular file \(proc holds system files\)/);
    expect(messageOf('pipe.csv')).toContain(`dataset.users.path: file ${join(dir, 'pipe.csv')} is a FIFO, not a regular file`);
    expect(messageOf('folder.csv')).toContain(`dataset.users.path: file ${join(dir, 'folder.csv')} is a directory, not a regular file`);
  });

  it('when the experiment file itself is a FIFO then it is refused without blocking on it', () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'e.yaml')]);
    expect(() => loadExperiment(join(dir, 'e.yaml'))).toThrow(/cannot read the experiment file: it is a FIFO, not a regular file/);
  });
});

describe('case 11: a seed posts file that is not UTF-8', () => {
  it('when posts_file holds a Latin-1 byte then the issue names its line instead of loading U+FFFD', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'posts.csv'), Buffer.concat([Buffer.from('at,text\n1,fine\n2,caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    writeFileSync(join(dir, 'e.yaml'), 'name: t\ncohorts: [{ name: a, count: 1, model: stat }]\nseeds: [{ name: News, posts_file: posts.csv }]\n');
    expect(() => loadExperiment(join(dir, 'e.yaml'))).toThrow(`e.yaml:3:35 seeds[0].posts_file: ${join(dir, 'posts.csv')}:3: not valid UTF-8 (a Latin-1 or Windows-1252 file?); convert the file to UTF-8`);
  });
});

describe('case 12: --set through the prototype', () => {
  it.each(['__proto__.polluted=1', 'constructor.prototype.polluted=1', 'models.stat.__proto__.polluted=1', 'cohorts[0].constructor=1'])('when --set %s then it is refused and Object.prototype is untouched', (o) => {
    const issues = (() => {
      try {
        parseExperiment('name: t\ncohorts: [{ name: a, count: 1, model: stat }]\n', 'exp.yaml', { overrides: [o] });
      } catch (e) {
        return (e as { issues: { file: string; message: string }[] }).issues;
      }
      return [];
    })();
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/^"(__proto__|constructor)" is not a key of the experiment \(__proto__, constructor and prototype are refused in paths\)$/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('case 15: secrets in misspelt keys', () => {
  it('when a secret-looking key is misspelt or mistyped then its value is not in any message', () => {
    const text = `name: t
models:
  g:
    provider: openai-compatible
    model: m
    endpoints: ["http://127.0.0.1:1/v1"]
    apikey: sk-live-SECRET1
    api_key_env: sk-live-SECRET2
    extra_body: {}
cohorts: [{ name: a, count: 1, model: g, token: SECRET3, password: 12345678 }]
`;
    const issues = issuesOf(text).map(formatIssue);
    expect(issues).toEqual([
      'exp.yaml:7:5 models.g.apikey: unknown key "apikey" (its value is not shown); API keys and other secrets never go in YAML: put the key in an environment variable and name it with api_key_env',
      'exp.yaml:8:18 models.g.api_key_env: must be the name of an environment variable (letters, digits and _, e.g. OPENAI_API_KEY), not the key itself (the value is not shown)',
      expect.stringMatching(/^exp\.yaml:10:42 cohorts\[0\]\.token: unknown key "token" \(its value is not shown\)/),
      expect.stringMatching(/^exp\.yaml:10:58 cohorts\[0\]\.password: unknown key "password" \(its value is not shown\)/),
    ]);
    expect(issues.join('\n')).not.toMatch(/SECRET|12345678/);
  });

  it('when --set carries a secret inside a mapping, or a malformed one, then the echoed command line masks it', () => {
    let message = '';
    try {
      parseExperiment('name: t\ncohorts: [{ name: a, count: 1, model: stat }]\n', 'exp.yaml', {
        overrides: ['models.stat={provider: statistical, password: hunter2-SECRET}', 'models.stat.api_key="sk-SECRET'],
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('models.stat.password: unknown key "password" (its value is not shown)');
    expect(message).toContain('(from --set models.stat={provider: statistical, password: ***})');
    expect(message).toContain('the value is not valid YAML (not shown: the key looks like a secret)');
    expect(message).not.toContain('SECRET');
  });

  it('when a value under a secret-looking key has the wrong type then the message gives its kind, not the value', () => {
    const i = one(`name: t
models:
  g: { provider: openai-compatible, model: m, endpoints: ["http://127.0.0.1:1/v1"], api_key_env: 12345678901 }
cohorts: [{ name: a, count: 1, model: g }]
`);
    expect(i.message).toBe('must be a non-empty string, got a number (not shown)');
  });
});

describe('case 13: credentials in URLs', () => {
  it('when an endpoint or base_url holds user:password@ then it is refused and the password is not shown', () => {
    const issues = issuesOf(`name: t
models:
  a: { provider: openai-compatible, model: m, endpoints: ["http://u:pw-SECRET@127.0.0.1:1/v1"] }
  b: { provider: openai, model: m, api_key_env: K, base_url: "https://u:pw-SECRET@api.example.com/v1" }
cohorts: [{ name: a, count: 1, model: a }, { name: b, count: 1, model: b }]
`).map(formatIssue);
    expect(issues).toEqual([
      expect.stringMatching(/^exp\.yaml:3:59 models\.a\.endpoints\[0\]: must not hold a user name or password \(user:password@host\): .*api_key_env$/),
      expect.stringMatching(/^exp\.yaml:4:62 models\.b\.base_url: must not hold a user name or password/),
    ]);
    expect(issues.join('\n')).not.toContain('SECRET');
  });
});
