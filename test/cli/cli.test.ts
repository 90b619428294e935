/**
 * The commands end to end. A run and a resume go through the real binary (bin/socialsim.js: a
 * process's exit code, progress on a stderr that is not a terminal); the rest run their command
 * line in this process (test/helpers/cli.ts), as main.ts does, which spares a Node start each.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliInProcess, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

function onlyRunDir(root: string, experiment: string): string {
  const runs = readdirSync(join(root, experiment));
  expect(runs).toHaveLength(1);
  return join(root, experiment, runs[0]!);
}

describe('socialsim CLI', () => {
  it('when every shipped experiment is validated then all pass with exit 0', async () => {
    const files = readdirSync(join(ROOT, 'experiments')).filter((f) => f.endsWith('.yaml')).map((f) => join('experiments', f));
    const r = await cliInProcess(['validate', ...files]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok  experiments/quickstart.yaml: quickstart, 1,000 agents in 1 cohort(s), 24 steps of 1h');
  });

  it('when a file is malformed then validate names file:line:col and field, and exits 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\ncohorts:\n  - { name: a, count: ten, model: stat }\nrecsys: { knd: random }\n');
    const r = await cliInProcess(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:3:23 cohorts[0].count: must be integer`);
    expect(r.stderr).toMatch(/:4:11 recsys\.knd: unknown key "knd"; did you mean "kind"\?/);
  });

  it('when a model\'s context is too small for its prompts after the tool schemas then validate says so and exits 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'small-context.yaml');
    writeFileSync(
      file,
      'name: small\nmodels:\n  stat: { provider: statistical }\n  tiny: { provider: openai-compatible, model: m, endpoints: ["http://127.0.0.1:1/v1"], context_tokens: 2048 }\ncohorts:\n  - { name: a, count: 2, model: tiny }\n',
    );
    const r = await cliInProcess(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${file}: model "tiny": context_tokens 2048 leaves -\\d+ tokens for the prompt .* or use tool_mode: json\\n$`));
    const fixed = await cliInProcess(['validate', file, '--set', 'models.tiny.actions=[like, create_post, do_nothing]']);
    expect(fixed.code).toBe(0);
  });

  it('when run with --seed, --set and --out then the run folder reflects them and inspect/report read it', async () => {
    const out = tempDir();
    const r = cli(['run', 'experiments/quickstart.yaml', '--out', out, '--seed', '5', '--set', 'clock.timesteps=4', '--set', 'cohorts[0].count=150']);
    expect(r.stderr).toMatch(/step 3 \(4\/4 done\) /); // plain progress lines when stderr is not a terminal, steps numbered from 0
    expect(r.code).toBe(0);
    const runDir = onlyRunDir(out, 'quickstart');
    expect(r.stdout).toContain(`run folder: ${runDir}`);
    expect(r.stdout).toContain(`report:     ${join(runDir, 'report.html')}`);
    const info = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(info).toMatchObject({ seed: 5, timesteps: 4, steps_completed: 4, agents: 150, status: 'completed' });
    expect(readFileSync(join(runDir, 'experiment.resolved.yaml'), 'utf8')).toMatch(/timesteps: 4/);

    const inspect = await cliInProcess(['inspect', runDir]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/users 152 \(agents 150\)/);
    expect(inspect.stdout).toContain('## Actions by type');
    expect(inspect.stdout).toMatch(/refresh\s+\d+/);

    const rerun = await cliInProcess(['run', 'experiments/quickstart.yaml', '--out', out, '--seed', '5', '--set', 'clock.timesteps=4', '--set', 'cohorts[0].count=150', '-q']);
    expect(rerun.code).toBe(2);
    expect(rerun.stderr).toContain(`error [run.exists]: ${runDir} already holds this exact experiment (status completed)`);

    const reportOut = join(out, 'again.html');
    const report = await cliInProcess(['report', runDir, '--out', reportOut]);
    expect(report.code).toBe(0);
    expect(existsSync(reportOut)).toBe(true);
    expect(readFileSync(reportOut, 'utf8')).toContain('<title>');
  });

  it('when a run is paused with --max-steps then resume finishes it and writes the report', async () => {
    const out = tempDir();
    const first = await cliInProcess(['run', 'experiments/quickstart.yaml', '--out', out, '--set', 'cohorts[0].count=100', '--set', 'clock.timesteps=8', '--max-steps', '4', '-q']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^interrupted: 4\/8 steps/);
    const runDir = onlyRunDir(out, 'quickstart');
    expect(first.stdout).toContain(`continue with: socialsim resume ${runDir}`);
    expect(existsSync(join(runDir, 'report.html'))).toBe(false);
    const second = cli(['resume', runDir, '-q']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^completed: 8\/8 steps/);
    expect(existsSync(join(runDir, 'report.html'))).toBe(true);
    const third = await cliInProcess(['resume', runDir]);
    expect(third.code).toBe(2);
    expect(third.stderr).toContain('error [run.not_resumable]');
  });

  it('when an LLM cohort’s API key variable is unset then the run is refused with exit 2 and a clear reason', async () => {
    const out = tempDir();
    const r = await cliInProcess(['run', 'experiments/quickstart.yaml', '--out', out, '--set', 'models.stat={provider: openai, model: gpt-4o-mini, api_key_env: SOCIALSIM_TEST_UNSET_KEY}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [run.unsupported_model]: model "stat": environment variable SOCIALSIM_TEST_UNSET_KEY is not set');
    expect(existsSync(join(out, 'quickstart'))).toBe(false);
  });

  it('when the inputs do not exist then each command exits 2 and says what it expected', async () => {
    const dir = tempDir();
    const run = await cliInProcess(['run', join(dir, 'nope.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read the experiment file: no such file');
    const inspect = await cliInProcess(['inspect', dir]);
    expect(inspect.code).toBe(2);
    expect(inspect.stderr).toContain('holds no sim.duckdb');
    const seed = await cliInProcess(['run', 'experiments/quickstart.yaml', '--seed', 'x']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain('--seed must be an integer, got "x"');
  });
});
