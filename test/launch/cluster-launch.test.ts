import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { loadExperiment } from '../../src/config/load.js';
import { slurmScript } from '../../src/launch/slurm.js';
import { startFakeOpenAI } from '../../src/llm/fake-server.js';
import { cliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { FAKE_SERVE, freePorts, portIsFree, ROOT } from './helpers.js';

const BIN = join(ROOT, 'bin/socialsim.js');

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', ...env }, timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}


// The dry run, --emit slurm, the refused plans and the run against servers started by hand run in
// this process (the command line main.ts runs); the launch over ssh, which starts and stops
// servers through SOCIALSIM_SSH, runs the binary.

/**
 * The ssh stand-in: drops the options, logs destination and remote command (tab-separated,
 * one line each), then runs the remote command here with /bin/sh as a login shell would.
 */
function fakeSsh(dir: string): { program: string; log: string } {
  const program = join(dir, 'fake-ssh');
  const log = join(dir, 'ssh.log');
  writeFileSync(program, `#!/bin/sh\nwhile [ $# -gt 2 ]; do shift; done\nprintf '%s\\t%s\\n' "$1" "$2" >> ${JSON.stringify(log)}\nexec /bin/sh -c "$2"\n`);
  chmodSync(program, 0o755);
  return { program, log };
}

/** Two one-GPU hosts on this machine (ssh as `me` to the second); a model id a shell would trip on. */
function clusterFile(dir: string, ports: readonly number[], pidDir: string): string {
  const file = join(dir, 'exp.yaml');
  writeFileSync(file, `name: cluster-e2e
seed: 1
clock: { timesteps: 2, step: 1h }
dataset: { generate: { topics: [tech, music], follows_per_agent: 4 } }
cluster:
  hosts:
    - { name: alpha, gpus: 1, address: 127.0.0.1 }
    - { name: beta, gpus: 1, address: 127.0.0.1, ssh: me }
  pid_dir: ${pidDir}
models:
  stat: { provider: statistical }
  local:
    provider: openai-compatible
    model: "it's $(touch ${dir}/pwned) \`id\`"
    ports: [${ports.join(', ')}]
    timeout_s: 5
    serve: { command: "printf '%s' {model} > ${dir}/model-{port}.txt; exec ${FAKE_SERVE}", ready_timeout_s: 30 }
cohorts:
  - { name: background, count: 20, model: stat, activity: 0.5 }
  - { name: llm, count: 10, model: local, activity: 1.0 }
recsys: { kind: random, feed_size: 5 }
`);
  return file;
}

describe('socialsim launch on a cluster', () => {
  it('when launch runs over the ssh stand-in then each host starts its server, the run uses both endpoints, and the servers are stopped through their PID files', async () => {
    const ports = await freePorts(2);
    const dir = tempDir();
    const pidDir = join(dir, 'pids');
    const out = join(dir, 'results');
    const ssh = fakeSsh(dir);
    // No report: test/launch/cli.test.ts checks that launch writes one.
    const r = cli(['launch', clusterFile(dir, ports, pidDir), '--out', out, '-q', '--no-report'], { SOCIALSIM_SSH: `${ssh.program} -o BatchMode=yes` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^completed: 2\/2 steps, 30 agents/);

    const calls = readFileSync(ssh.log, 'utf8').trim().split('\n').map((l) => l.split('\t') as [string, string]);
    // A start per host, then a stop per host that reads its PID file (the two of each run concurrently).
    const kinds = calls.map(([target, cmd]) => `${cmd.startsWith('mkdir -p') ? 'start' : 'stop'} ${target}`);
    expect(kinds.slice(0, 2).sort()).toEqual(['start 127.0.0.1', 'start me@127.0.0.1']);
    expect(kinds.slice(2).sort()).toEqual(['stop 127.0.0.1', 'stop me@127.0.0.1']);
    // The model id reached the server command as one word: no command substitution ran.
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    for (const p of ports) expect(readFileSync(join(dir, `model-${p}.txt`), 'utf8')).toBe(`it's $(touch ${dir}/pwned) \`id\``);

    const runs = readdirSync(join(out, 'cluster-e2e')).filter((d) => d !== 'servers');
    const byEndpoint = await withSimDb(join(out, 'cluster-e2e', runs[0]!, 'sim.duckdb'), (db) =>
      db.query<{ endpoint: string; n: number }>(`SELECT endpoint, count(*)::INTEGER AS n FROM llm_calls WHERE outcome = 'ok' GROUP BY endpoint ORDER BY endpoint`),
    );
    expect(byEndpoint.map((row) => row.endpoint).sort()).toEqual(ports.map((p) => `http://127.0.0.1:${p}/v1`).sort());
    expect(readdirSync(pidDir)).toEqual([]);
    for (const [k, p] of ports.entries()) {
      expect(await portIsFree(p)).toBe(true);
      expect(readFileSync(join(out, 'cluster-e2e', 'servers', `${k === 0 ? 'alpha' : 'beta'}-local-${p}.log`), 'utf8')).toContain(`listening http://127.0.0.1:${p}/v1`);
    }
  });

  it('when launch --dry-run is given a cluster then it prints the plan and each ssh line, quoted, and starts nothing', async () => {
    const dir = tempDir();
    const file = clusterFile(dir, [8000, 8001], join(dir, 'pids'));
    const r = await cliInProcess(['launch', file, '--dry-run', '--out', join(dir, 'results')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 server instances on 2 of 2 GPUs over 2 hosts:');
    expect(r.stdout).toContain('host beta (127.0.0.1, ssh me@127.0.0.1): 1 instance, idle GPUs: none');
    expect(r.stdout).toContain('endpoints the run will use:\n  local  http://127.0.0.1:8000/v1 http://127.0.0.1:8001/v1\n');
    const start = r.stdout.split('\n').find((l) => l.startsWith('  ssh -o BatchMode=yes me@127.0.0.1 \'mkdir'))!;
    // The line, run by a shell, gives ssh exactly the destination and one remote string.
    const argv = spawnSync('/bin/sh', ['-c', `set -- ${start.trim().slice('ssh '.length)}; printf '%s\\0' "$@"`], { encoding: 'utf8' }).stdout.split('\0').slice(0, -1);
    expect(argv.slice(0, 3)).toEqual(['-o', 'BatchMode=yes', 'me@127.0.0.1']);
    expect(argv).toHaveLength(4);
    expect(argv[3]).toContain(`exec env CUDA_VISIBLE_DEVICES=0 setsid -w sh -c 'echo $$ > "$1" && exec sh -c "$2"' sh ${join(dir, 'pids')}/local-8001.pid `);
    expect(r.stdout).toMatch(/ssh commands \(stop, after the run\):\n {2}ssh -o BatchMode=yes 127\.0\.0\.1 'sh -c .*local-8000\.pid 10'\n/);
    expect(existsSync(join(dir, 'results'))).toBe(false);
    expect(existsSync(join(dir, 'pids'))).toBe(false);
  });

  it('when --emit slurm is given then the batch script has one node per host, one srun per host with its GPUs, the readiness loop and the run line', async () => {
    const dir = tempDir();
    const script = join(dir, 'job.sh');
    const file = `${ROOT}experiments/cluster.yaml`;
    const r = await cliInProcess(['launch', 'experiments/cluster.yaml', '--emit', 'slurm', '--script', script, '--out', 'results', '--set', 'clock.timesteps=6']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = readFileSync(script, 'utf8');
    expect(text).toBe(slurmScript(loadExperiment(file, { overrides: ['clock.timesteps=6'] }), { file: 'experiments/cluster.yaml', out: 'results', runArgs: ['--set', 'clock.timesteps=6'] }));
    const lines = text.split('\n');
    expect(lines[0]).toBe('#!/bin/bash');
    expect(lines).toContain('#SBATCH --nodes=4');
    expect(lines).toContain('#SBATCH --gres=gpu:8');
    const sruns = lines.filter((l) => l.startsWith('srun '));
    expect(sruns.map((l) => l.slice(0, l.indexOf(' bash -c')))).toEqual([0, 1, 2, 3].map((i) => `srun --nodes=1 --ntasks=1 --nodelist="\${NODES[${i}]}" --gres=gpu:8 env NODE="\${NODES[${i}]}"`));
    // Inside node1's srun: the two tp-4 70B servers on GPUs 0-3 and 4-7, listening on the node's name.
    expect(lines).toContain('CUDA_VISIBLE_DEVICES=4,5,6,7 vllm serve meta-llama/Meta-Llama-3-70B-Instruct --host "$NODE" --port 8101 --tensor-parallel-size 4 --enable-auto-tool-choice --tool-call-parser llama3_json &');
    expect(lines).toContain('CUDA_VISIBLE_DEVICES=7 vllm serve meta-llama/Meta-Llama-3-8B-Instruct --host "$NODE" --port 8015 --tensor-parallel-size 1 --enable-auto-tool-choice --tool-call-parser llama3_json &');
    expect(lines.filter((l) => /^CUDA_VISIBLE_DEVICES=/.test(l))).toHaveLength(20);
    const loop = lines.find((l) => l.startsWith('for url in '))!;
    expect(loop).toContain('"http://${NODES[0]}:8100/v1/models"');
    expect(loop).toContain('"http://${NODES[3]}:8015/v1/models"');
    expect(loop.match(/\/v1\/models"/g)).toHaveLength(20);
    expect(lines).toContain(
      'npx socialsim run experiments/cluster.yaml --out results --set "cluster.hosts[0].address=${NODES[0]}" --set "cluster.hosts[1].address=${NODES[1]}" ' +
        '--set "cluster.hosts[2].address=${NODES[2]}" --set "cluster.hosts[3].address=${NODES[3]}" --set clock.timesteps=6',
    );
    expect(lines).toContain('trap \'kill "${SERVERS[@]}" 2>/dev/null; wait\' EXIT');
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
  });

  it('when run is given a cluster file whose servers were started by hand then it calls them at their hosts\' addresses, not at the model\'s host', async () => {
    const servers = await Promise.all([startFakeOpenAI(), startFakeOpenAI()]);
    try {
      const dir = tempDir();
      const file = join(dir, 'exp.yaml');
      // host: alpha pins the model; without the plan's endpoints the run would try http://alpha:PORT/v1.
      writeFileSync(file, `name: cluster-run
seed: 1
clock: { timesteps: 1, step: 1h }
dataset: { generate: { topics: [tech, music], follows_per_agent: 2 } }
cluster:
  hosts:
    - { name: alpha, gpus: 2, address: 127.0.0.1 }
models:
  stat: { provider: statistical }
  local: { provider: openai-compatible, model: m, host: alpha, ports: [${servers.map((s) => s.port).join(', ')}], timeout_s: 5 }
cohorts:
  - { name: background, count: 5, model: stat }
  - { name: llm, count: 6, model: local, activity: 1.0 }
recsys: { kind: random, feed_size: 3 }
`);
      const out = join(dir, 'results');
      const r = await cliInProcess(['run', file, '--out', out, '-q', '--no-report']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const run = readdirSync(join(out, 'cluster-run'))[0]!;
      const endpoints = await withSimDb(join(out, 'cluster-run', run, 'sim.duckdb'), (db) =>
        db.query<{ endpoint: string }>(`SELECT DISTINCT endpoint FROM llm_calls WHERE outcome = 'ok' ORDER BY endpoint`),
      );
      expect(endpoints.map((e) => e.endpoint)).toEqual(servers.map((s) => `http://127.0.0.1:${s.port}/v1`).sort());
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  it('when --gpus is given with a cluster, or neither is given, then plan refuses with one line', async () => {
    const both = await cliInProcess(['plan', 'experiments/cluster.yaml', '--gpus', '8']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('error [cli.gpus_with_cluster]: --gpus is for one machine; this experiment lists its machines in cluster.hosts (4), which give the GPUs: drop --gpus\n');
    const neither = await cliInProcess(['plan', 'experiments/mixed-models.yaml']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toBe('error [cli.missing_gpus]: --gpus <n> is required: the GPUs of this machine (or list the machines in cluster.hosts)\n');
  });
});
