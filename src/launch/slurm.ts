/**
 * `socialsim launch --emit slurm`: the cluster plan as one Slurm batch job. Pure, no I/O.
 * Slurm picks the machines, so cluster host i becomes the job's i-th node: the plan is made
 * with a stand-in address per host, which the script replaces with that node's name. One srun
 * per host holds all its GPUs and starts that host's servers with the plan's
 * CUDA_VISIBLE_DEVICES (one step per host, so Slurm does not renumber GPUs between steps).
 */
import type { Experiment } from '../config/types.js';
import { planCluster } from './cluster-plan.js';
import { shellQuote } from './plan.js';

export interface SlurmOptions {
  /** The experiment file as the run line names it. */
  readonly file: string;
  /** Results root for the run line and the server logs. */
  readonly out: string;
  /** Extra words for the run line (`--set …`, `--seed …`), already split. */
  readonly runArgs?: readonly string[];
}

const stand = (i: number): string => `socialsimnode${i}x`;

export function slurmScript(exp: Experiment, opts: SlurmOptions): string {
  const cluster = exp.cluster;
  if (cluster === undefined) throw new Error('slurmScript needs cluster.hosts');
  const hosts = cluster.hosts.map((h, i) => ({ ...h, address: stand(i) }));
  const plan = planCluster({ ...exp, cluster: { ...cluster, hosts } });
  const gres = Math.max(...hosts.map((h) => h.gpus));
  const logs = `${opts.out.replace(/\/+$/, '')}/${exp.name}/servers`;
  const timeout = Math.ceil(Math.max(0, ...plan.instances.map((i) => i.readyTimeoutS)));
  const lines: string[] = [
    '#!/bin/bash',
    `#SBATCH --job-name=${shellQuote(`socialsim-${exp.name}`)}`,
    `#SBATCH --nodes=${hosts.length}`,
    '#SBATCH --ntasks-per-node=1',
    `#SBATCH --gres=gpu:${gres}`,
    `# Written by socialsim launch --emit slurm: cluster host i is the job's node i (${cluster.hosts.map((h, i) => `${h.name} = node ${i}`).join(', ')}).`,
    'set -uo pipefail',
    'mapfile -t NODES < <(scontrol show hostnames "$SLURM_JOB_NODELIST")',
    `LOGS=${shellQuote(logs)}`,
    'mkdir -p "$LOGS"',
    'SERVERS=()',
    '# Cleanup: stop every host\'s servers when the job ends, whatever the run did.',
    'trap \'kill "${SERVERS[@]}" 2>/dev/null; wait\' EXIT',
  ];
  hosts.forEach((h, i) => {
    const mine = plan.instances.filter((x) => x.node?.name === h.name);
    if (mine.length === 0) {
      lines.push(`# ${cluster.hosts[i]!.name}: no servers`);
      return;
    }
    // Inside the host's script its node name is $NODE; every server is a background job of it.
    const body = [
      'trap \'kill $(jobs -p) 2>/dev/null\' TERM INT',
      ...mine.map((x) => `CUDA_VISIBLE_DEVICES=${x.env.CUDA_VISIBLE_DEVICES} ${x.command.split(stand(i)).join('"$NODE"')} &`),
      'wait',
    ].join('\n');
    lines.push(
      `# ${cluster.hosts[i]!.name}: ${mine.map((x) => `${x.model}:${x.port} on GPUs ${x.gpus.join(',')}`).join('; ')}`,
      `srun --nodes=1 --ntasks=1 --nodelist="\${NODES[${i}]}" --gres=gpu:${h.gpus} env NODE="\${NODES[${i}]}" bash -c ${shellQuote(body)} > "$LOGS/${cluster.hosts[i]!.name}.log" 2>&1 &`,
      'SERVERS+=($!)',
    );
  });
  const urls = plan.instances.map((x) => x.url.replace(/socialsimnode(\d+)x/, (_, i: string) => `\${NODES[${i}]}`));
  lines.push(
    `# Readiness: every endpoint answers GET /v1/models within ${timeout} s (serve.ready_timeout_s), or the job ends.`,
    `deadline=$((SECONDS + ${timeout}))`,
    `for url in ${urls.map((u) => `"${u}/models"`).join(' ')}; do`,
    '  until curl -sf -o /dev/null "$url"; do',
    '    if (( SECONDS > deadline )); then echo "not ready in time: $url" >&2; exit 1; fi',
    '    sleep 5',
    '  done',
    'done',
  );
  const setAddresses = hosts.map((_, i) => `--set "cluster.hosts[${i}].address=\${NODES[${i}]}"`);
  const extra = (opts.runArgs ?? []).map(shellQuote);
  lines.push(
    '# The run: the same plan with the job\'s node names as addresses gives the endpoints above.',
    ['npx socialsim run', shellQuote(opts.file), '--out', shellQuote(opts.out), ...setAddresses, ...extra].join(' '),
  );
  return lines.join('\n') + '\n';
}
