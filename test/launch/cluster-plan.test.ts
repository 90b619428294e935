import { describe, expect, it } from 'vitest';
import { ConfigError, loadExperiment, parseExperiment } from '../../src/config/load.js';
import type { Experiment } from '../../src/config/types.js';
import { planCluster, withPlannedEndpoints } from '../../src/launch/cluster-plan.js';
import { formatPlan, PlanError, type ServerPlan } from '../../src/launch/plan.js';
import { ROOT } from './helpers.js';

const BASE = `
name: cluster-test
clock: { timesteps: 2, step: 1h }
dataset: { generate: { topics: [tech, music] } }
`;

/** A cluster inventory, `models` and one cohort per model key in `use`. */
function exp(hosts: string, models: string, use: readonly string[]): Experiment {
  const cohorts = use.map((m, i) => `  - { name: c${i}, count: 5, model: ${m} }`).join('\n');
  return parseExperiment(`${BASE}cluster:\n  hosts:\n${hosts}\nmodels:\n  stat: { provider: statistical }\n${models}\ncohorts:\n  - { name: bg, count: 5, model: stat }\n${cohorts}\n`, 'cluster.yaml');
}

function problems(fn: () => ServerPlan): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlanError) return e.problems;
    throw e;
  }
  throw new Error('expected a PlanError');
}

function issues(text: string): string[] {
  try {
    parseExperiment(text, 'c.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const rows = (plan: ServerPlan): [string, number, string, string][] => plan.instances.map((i) => [i.model, i.port, i.node!.name, i.gpus.join(',')]);

describe('planCluster', () => {
  it('when the seed case (5k on an 8B, 3k on a 70B, 2k hosted) is planned over 4 hosts of 8 GPUs then every instance lands where the rule says', () => {
    const e = loadExperiment(`${ROOT}experiments/cluster.yaml`);
    const plan = planCluster(e);
    // Rule: largest tp first. The four tp-4 instances of llama70b fill node1 (0-3, 4-7) and
    // node2 in port order; the sixteen tp-1 llama8b instances then fill node3 GPU 0..7 and node4.
    const expected: [string, number, string, string][] = [
      ...Array.from({ length: 16 }, (_, k): [string, number, string, string] => ['llama8b', 8000 + k, k < 8 ? 'node3' : 'node4', String(k % 8)]),
      ['llama70b', 8100, 'node1', '0,1,2,3'],
      ['llama70b', 8101, 'node1', '4,5,6,7'],
      ['llama70b', 8102, 'node2', '0,1,2,3'],
      ['llama70b', 8103, 'node2', '4,5,6,7'],
    ];
    expect(rows(plan)).toEqual(expected);
    expect(plan.gpus).toBe(32);
    expect(plan.hosts!.map((h) => [h.name, h.sshTarget, h.idle.length])).toEqual([['node1', '10.0.0.1', 0], ['node2', '10.0.0.2', 0], ['node3', '10.0.0.3', 0], ['node4', 'sim@10.0.0.4', 0]]);
    const i8101 = plan.instances.find((i) => i.port === 8101)!;
    expect(i8101.url).toBe('http://10.0.0.1:8101/v1');
    expect(i8101.env.CUDA_VISIBLE_DEVICES).toBe('4,5,6,7');
    expect(i8101.command).toBe('vllm serve meta-llama/Meta-Llama-3-70B-Instruct --host 10.0.0.1 --port 8101 --tensor-parallel-size 4 --enable-auto-tool-choice --tool-call-parser llama3_json');
    expect(plan.instances.find((i) => i.port === 8015)!.url).toBe('http://10.0.0.4:8015/v1');
    expect(plan.hosted).toEqual([{ model: 'gpt', url: 'https://api.openai.com/v1' }]);

    const text = formatPlan(plan);
    expect(text).toMatch(/^20 server instances on 32 of 32 GPUs over 4 hosts:\n/);
    expect(text).toContain('host node4 (10.0.0.4, ssh sim@10.0.0.4): 8 instances, idle GPUs: none');
    expect(text).toMatch(/\n {2}llama70b {2}8102 {2}0,1,2,3 {2}CUDA_VISIBLE_DEVICES=0,1,2,3 vllm serve meta-llama\/Meta-Llama-3-70B-Instruct --host 10\.0\.0\.2 --port 8102 /);
    expect(text).toContain('endpoints the run will use:\n  llama8b   http://10.0.0.3:8000/v1 http://10.0.0.3:8001/v1');
    expect(text).toContain('  llama70b  http://10.0.0.1:8100/v1 http://10.0.0.1:8101/v1 http://10.0.0.2:8102/v1 http://10.0.0.2:8103/v1\n');
    expect(text).toContain('  gpt       https://api.openai.com/v1 (hosted, no GPUs)\n');

    // The run calls the instances at their hosts' addresses, in port order.
    const run = withPlannedEndpoints(e, plan);
    const m70 = run.models['llama70b']!;
    expect(m70.provider === 'openai-compatible' && [m70.endpoints, m70.ports]).toEqual([plan.instances.slice(16).map((i) => i.url), undefined]);
  });

  it('when tensor-parallel sizes differ then the largest go first, hosts in order, first fit; YAML order breaks ties', () => {
    const plan = planCluster(exp(`    - { name: big, gpus: 8, address: big.lan }
    - { name: small, gpus: 4, address: 192.168.1.7 }`, `
  one: { provider: openai-compatible, model: one, ports: [7000, 7001] }
  four: { provider: openai-compatible, model: four, ports: [7100, 7101], gpus_per_instance: 4 }
  two: { provider: openai-compatible, model: two, ports: [7200], gpus_per_instance: 2 }`, ['one', 'four', 'two']));
    // four fills big; two finds big full and takes small 0,1; one takes small 2 and 3.
    expect(rows(plan)).toEqual([
      ['one', 7000, 'small', '2'],
      ['one', 7001, 'small', '3'],
      ['four', 7100, 'big', '0,1,2,3'],
      ['four', 7101, 'big', '4,5,6,7'],
      ['two', 7200, 'small', '0,1'],
    ]);
  });

  it('when a model pins host, hosts or an explicit gpus list then its instances stay there and the rest pack around them', () => {
    const plan = planCluster(exp(`    - { name: a, gpus: 4, address: 10.1.0.1 }
    - { name: b, gpus: 4, address: 10.1.0.2 }
    - { name: c, gpus: 4, address: 10.1.0.3 }`, `
  pinned: { provider: openai-compatible, model: p, host: b, ports: [9000], gpus: [1] }
  onc: { provider: openai-compatible, model: q, host: c, ports: [9100], gpus_per_instance: 2 }
  bc: { provider: openai-compatible, model: r, hosts: [b, c], ports: [9200, 9201], gpus_per_instance: 2 }
  free: { provider: openai-compatible, model: s, ports: [9300, 9301], gpus_per_instance: 2 }`, ['pinned', 'onc', 'bc', 'free']));
    // tp 2 first in YAML order: onc → c 0,1; bc → b (GPU 1 taken: 2,3 is the first contiguous pair), then c 2,3; free → a 0,1 and a 2,3.
    expect(rows(plan)).toEqual([
      ['pinned', 9000, 'b', '1'],
      ['onc', 9100, 'c', '0,1'],
      ['bc', 9200, 'b', '2,3'],
      ['bc', 9201, 'c', '2,3'],
      ['free', 9300, 'a', '0,1'],
      ['free', 9301, 'a', '2,3'],
    ]);
    expect(plan.hosts!.map((h) => h.idle)).toEqual([[], [0], []]);
  });

  it('when the models need more GPUs than the cluster has, or an instance is larger than any host, then every problem is reported before anything starts', () => {
    const hosts = `    - { name: n1, gpus: 4, address: 10.0.0.1 }
    - { name: n2, gpus: 4, address: 10.0.0.2 }`;
    expect(problems(() => planCluster(exp(hosts, `
  huge: { provider: openai-compatible, model: h, ports: [8000], gpus_per_instance: 8 }
  many: { provider: openai-compatible, model: m, ports: [8100, 8101, 8102], gpus_per_instance: 3 }`, ['huge', 'many'])))).toEqual([
      'model "huge": one instance needs 8 GPUs (gpus_per_instance) but the largest host has 4; an instance never spans hosts',
      'model "many": 1 of 3 instances (3 GPUs each) find no host with room; free GPUs left: n1 1, n2 1',
      'in total the launched models need 17 GPUs; the cluster has 8 on 2 hosts',
    ]);
    expect(problems(() => planCluster(exp(hosts, `
  a: { provider: openai-compatible, model: a, ports: [8000, 8001] }
  b: { provider: openai-compatible, model: b, ports: [8001] }`, ['a', 'b'])))).toEqual(['port clash: port 8001 on 10.0.0.1 is used by both model "a" and model "b"']);
  });
});

describe('cluster inventory checks', () => {
  it('when the inventory or a model\'s host refers wrongly then each problem is located file:line:col', () => {
    const text = `${BASE}cluster:
  hosts:
    - { name: n1, gpus: 8, address: 10.0.0.1 }
    - { name: n1, gpus: 0, address: "bad host!" }
    - { name: n3, gpus: 2, address: n3.lan, ssh: "a b" }
models:
  stat: { provider: statistical }
  m: { provider: openai-compatible, model: m, host: n4, ports: [8000] }
  g: { provider: openai-compatible, model: g, ports: [8001], gpus: [0] }
  h: { provider: openai-compatible, model: h, hosts: [n1, nn3], ports: [8002] }
cohorts:
  - { name: a, count: 5, model: stat }
`;
    expect(issues(text)).toEqual([
      '8:15 cluster.hosts[1].name: duplicate host name "n1" (already used by cluster.hosts[0])',
      '8:25 cluster.hosts[1].gpus: must be integer ≥ 1, got 0',
      '8:37 cluster.hosts[1].address: must be a host name or IP address, e.g. node1.example.org or 10.0.0.5, got "bad host!"',
      '9:50 cluster.hosts[2].ssh: must be user@host or a user name, got "a b"',
      '12:53 models.m.host: with a cluster, host names the cluster host the model\'s servers go on; unknown host "n4"; cluster hosts: n1, n3 (did you mean "n1"?)',
      '13:62 models.g.gpus: an explicit gpus list needs its host on a cluster: name it with host: <cluster host> (GPU indices are that host\'s)',
      '14:59 models.h.hosts[1]: unknown host "nn3"; cluster hosts: n1, n3 (did you mean "n3"?)',
    ]);
    expect(issues(`${BASE}models:\n  m: { provider: openai-compatible, model: m, hosts: [n1], ports: [8000] }\ncohorts:\n  - { name: a, count: 5, model: m }\n`)).toEqual([
      '6:47 models.m.hosts: hosts names cluster hosts, but there is no cluster: add cluster.hosts, or remove hosts',
    ]);
  });
});
