import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { cliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { FAKE_SERVE, freePorts, portIsFree, ROOT } from './helpers.js';

const BIN = join(ROOT, 'bin/socialsim.js');

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Plan and launch refused or dry-run only check their input: they run in this process (the command
// line main.ts runs); the cases that start servers, or signal the process, run the binary.

/** 20 statistical + 10 LLM agents on a model served at `ports`, 2 steps. */
function experimentFile(dir: string, ports: readonly number[], extra = ''): string {
  const file = join(dir, 'exp.yaml');
  writeFileSync(
    file,
    `name: launch-e2e
seed: 1
clock: { timesteps: 2, step: 1h }
dataset: { generate: { topics: [tech, music], follows_per_agent: 4 } }
models:
  stat: { provider: statistical }
  local:
    provider: openai-compatible
    model: fake-model
    ports: [${ports.join(', ')}]
    timeout_s: 5
    serve: { command: "${FAKE_SERVE}", ready_timeout_s: 30 }
${extra}
cohorts:
  - { name: background, count: 20, model: stat, activity: 0.5 }
  - { name: llm, count: 10, model: local, activity: 1.0 }
recsys: { kind: random, feed_size: 5 }
`,
  );
  return file;
}

describe('socialsim plan / launch', () => {
  it('when launch runs a small LLM experiment then it completes on both servers and the ports are free afterwards', async () => {
    const ports = await freePorts(2);
    const dir = tempDir();
    const out = join(dir, 'results');
    const r = cli(['launch', experimentFile(dir, ports), '--gpus', '2', '--out', out, '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^completed: 2\/2 steps, 30 agents/);
    const runs = readdirSync(join(out, 'launch-e2e')).filter((d) => d !== 'servers');
    expect(runs).toHaveLength(1);
    const runDir = join(out, 'launch-e2e', runs[0]!);
    const info = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { status: string; command: string[] };
    expect(info.status).toBe('completed');
    // Like run, launch writes the report (the cluster launch test passes --no-report).
    expect(readFileSync(join(runDir, 'report.html'), 'utf8')).toContain('<html');
    const byEndpoint = await withSimDb(join(runDir, 'sim.duckdb'), (db) =>
      db.query<{ endpoint: string; n: number }>(`SELECT endpoint, count(*)::INTEGER AS n FROM llm_calls WHERE outcome = 'ok' GROUP BY endpoint ORDER BY endpoint`),
    );
    expect(byEndpoint.map((row) => row.endpoint).sort()).toEqual(ports.map((p) => `http://127.0.0.1:${p}/v1`).sort());
    expect(byEndpoint.every((row) => row.n > 0)).toBe(true);
    for (const p of ports) {
      expect(await portIsFree(p)).toBe(true);
      expect(readFileSync(join(out, 'launch-e2e', 'servers', `local-${p}.log`), 'utf8')).toContain(`listening http://127.0.0.1:${p}/v1`);
    }
  });

  it('when the plan is infeasible then plan and launch exit 2 listing every problem, and nothing starts', async () => {
    const dir = tempDir();
    const file = experimentFile(dir, [8000, 8001], '  big: { provider: openai-compatible, model: b, ports: [8001], gpus: [3] }');
    const args = ['--gpus', '1', '--set', 'cohorts[2]={name: big-users, count: 2, model: big}'];
    const plan = await cliInProcess(['plan', file, ...args]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toBe('');
    expect(plan.stderr).toBe(
      'error [plan.infeasible]: the server plan is infeasible (4 problems):\n' +
        '  - model "big": GPU 3 is out of range: --gpus 1 gives only GPU 0\n' +
        '  - model "local": needs 2 GPUs (2 instances × 1) but only 1 of --gpus 1 is available\n' +
        '  - in total the launched models need 3 GPUs; --gpus gives 1\n' +
        '  - port clash: port 8001 on 127.0.0.1 is used by both model "local" and model "big"\n',
    );
    const launch = await cliInProcess(['launch', file, ...args, '--out', join(dir, 'results')]);
    expect(launch.code).toBe(2);
    expect(launch.stderr).toContain('error [plan.infeasible]');
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });

  it('when plan or launch --dry-run is given a feasible file then they print the table and start nothing', async () => {
    const ports = await freePorts(2);
    const dir = tempDir();
    const file = experimentFile(dir, ports);
    const plan = await cliInProcess(['plan', file, '--gpus', '4']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('2 server instances on 2 of 4 GPUs:');
    expect(plan.stdout).toContain(`CUDA_VISIBLE_DEVICES=1 ${FAKE_SERVE.replace('{port}', String(ports[1]))}`);
    expect(plan.stdout).toContain('idle GPUs: 2, 3');
    const dry = await cliInProcess(['launch', file, '--gpus', '4', '--dry-run', '--out', join(dir, 'results')]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(plan.stdout);
    expect(dry.stdout).toMatch(/dry run: nothing started \(server logs would go to .*results\/launch-e2e\/servers\/\)/);
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });

  it('when a launched server exits before it is ready then launch exits 1 with its exit code and no run is made', async () => {
    const ports = await freePorts(2);
    const dir = tempDir();
    const out = join(dir, 'results');
    const r = cli(['launch', experimentFile(dir, ports), '--gpus', '2', '--out', out, '-q', '--set', 'models.local.serve.command=echo "no GPU found" >&2; exit 3']);
    expect(r.code).toBe(1);
    // Both instances fail at once; whichever is noticed first is reported.
    expect(r.stderr).toMatch(new RegExp(`^error \\[launch\\.exited\\]: server local:(${ports.join('|')}) exited with code 3 before it was ready\\nlast lines of .*local-(${ports.join('|')})\\.log:\\n  \\| no GPU found\\n$`));
    expect(readdirSync(join(out, 'launch-e2e'))).toEqual(['servers']);
  });

  it('when launch gets Ctrl-C during the run then the run is interrupted, the servers are stopped and it exits 130', async () => {
    const ports = await freePorts(2);
    const dir = tempDir();
    const child = spawn(process.execPath, [BIN, 'launch', experimentFile(dir, ports), '--gpus', '2', '--out', join(dir, 'results'), '--set', 'clock.timesteps=500'], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        const before = stderr;
        stderr += d.toString();
        if (!/step 1 \(2\/500 done\)/.test(before) && /step 1 \(2\/500 done\)/.test(stderr)) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(stdout).toMatch(/^interrupted: \d+\/500 steps/);
    expect(stderr).toContain('launch: stopping 2 servers');
    for (const p of ports) expect(await portIsFree(p)).toBe(true);
  });
});
