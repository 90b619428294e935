import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import type { Experiment } from '../../src/config/types.js';
import { fillCommand, formatPlan, planServers, PlanError, type ServerPlan } from '../../src/launch/plan.js';

const BASE = `
name: plan-test
clock: { timesteps: 2, step: 1h }
dataset: { generate: { topics: [tech, music] } }
`;

/** `models` and the cohorts using them (one per model key in `use`). */
function exp(models: string, use: readonly string[]): Experiment {
  const cohorts = use.map((m, i) => `  - { name: c${i}, count: 5, model: ${m} }`).join('\n');
  return parseExperiment(`${BASE}models:\n  stat: { provider: statistical }\n${models}\ncohorts:\n  - { name: bg, count: 5, model: stat }\n${cohorts}\n`, 'plan.yaml');
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

const THREE = `
  small8b: { provider: openai-compatible, model: meta-llama/Meta-Llama-3-8B-Instruct, ports: [8000, 8001] }
  big70b: { provider: openai-compatible, model: meta-llama/Meta-Llama-3-70B-Instruct, ports: [8002], gpus_per_instance: 4 }
  pinned: { provider: openai-compatible, model: Qwen/Qwen2.5-7B-Instruct, host: 127.0.0.1, ports: [8003], gpus: [2] }
`;

describe('planServers', () => {
  it('when three models are packed onto 8 GPUs then explicit lists are kept and the rest go first-fit in YAML and port order', () => {
    const plan = planServers(exp(THREE, ['small8b', 'big70b', 'pinned']), { gpus: 8 });
    expect(plan.instances.map((i) => [i.model, i.port, i.gpus, i.env.CUDA_VISIBLE_DEVICES])).toEqual([
      ['small8b', 8000, [0], '0'],
      ['small8b', 8001, [1], '1'],
      ['big70b', 8002, [3, 4, 5, 6], '3,4,5,6'],
      ['pinned', 8003, [2], '2'],
    ]);
    expect(plan.idle).toEqual([7]);
    expect(plan.external).toEqual([]);
    const big = plan.instances[2]!;
    expect(big.command).toBe('vllm serve meta-llama/Meta-Llama-3-70B-Instruct --host 127.0.0.1 --port 8002 --tensor-parallel-size 4');
    expect(big.url).toBe('http://127.0.0.1:8002/v1');
    expect(big.readyTimeoutS).toBe(900);
    expect(plan.instances[0]!.command).toBe('vllm serve meta-llama/Meta-Llama-3-8B-Instruct --host 127.0.0.1 --port 8000 --tensor-parallel-size 1');
  });

  it('when a tensor-parallel instance can get a contiguous block then it does, else it takes the lowest free GPUs', () => {
    const contiguous = planServers(exp(`
  pin: { provider: openai-compatible, model: a, ports: [9000], gpus: [1] }
  tp2: { provider: openai-compatible, model: b, ports: [9001], gpus_per_instance: 2 }`, ['pin', 'tp2']), { gpus: 4 });
    expect(contiguous.instances.find((i) => i.model === 'tp2')!.gpus).toEqual([2, 3]);
    const split = planServers(exp(`
  pin: { provider: openai-compatible, model: a, ports: [9000], gpus: [1] }
  tp2: { provider: openai-compatible, model: b, ports: [9001], gpus_per_instance: 2 }`, ['pin', 'tp2']), { gpus: 3 });
    expect(split.instances.find((i) => i.model === 'tp2')!.gpus).toEqual([0, 2]);
  });

  it('when the serve command uses every placeholder then each is filled and other braces are left alone', () => {
    const plan = planServers(exp(`
  m: { provider: openai-compatible, model: "my org/model", ports: [7001, 7002], gpus_per_instance: 2,
       serve: { command: "srv {model} -h {host} -p {port} --tp {tp} --devices {gpus} --cfg '{\\"x\\": 1}'", ready_timeout_s: 5 } }`, ['m']), { gpus: 4 });
    expect(plan.instances.map((i) => i.command)).toEqual([
      `srv 'my org/model' -h 127.0.0.1 -p 7001 --tp 2 --devices 0,1 --cfg '{"x": 1}'`,
      `srv 'my org/model' -h 127.0.0.1 -p 7002 --tp 2 --devices 2,3 --cfg '{"x": 1}'`,
    ]);
    expect(plan.instances.map((i) => i.env)).toEqual([{ CUDA_VISIBLE_DEVICES: '0,1' }, { CUDA_VISIBLE_DEVICES: '2,3' }]);
    expect(plan.instances[0]!.readyTimeoutS).toBe(5);
    expect(fillCommand('x {model} {unknown}', { model: "it's", host: 'h', port: 1, tp: 1, gpus: [] })).toBe(`x 'it'\\''s' {unknown}`);
  });

  it('when a model serves only the recommender\'s embeddings then it is planned like a cohort\'s', () => {
    const base = exp(`
  minilm: { provider: openai-compatible, model: m, ports: [8100] }
  spare: { provider: openai-compatible, model: s, ports: [8200] }`, []);
    const withEmbeddings = { ...base, recsys: { ...base.recsys, kind: 'interest' as const, embedding_model: 'minilm' } };
    const plan = planServers(withEmbeddings, { gpus: 2 });
    expect(plan.instances.map((i) => `${i.model}:${i.port}`)).toEqual(['minilm:8100']);
    expect(plan.notes.join('\n')).toMatch(/model "spare" is not used by any cohort or the recommender: not launched/);
    expect(planServers(base, { gpus: 2 }).instances).toEqual([]);
  });

  it('when models have explicit endpoints, are hosted or unused then they are listed or noted, never planned', () => {
    const plan = planServers(exp(`
  ext: { provider: openai-compatible, model: e, endpoints: ["http://127.0.0.1:8002/v1"], gpus: [2, 3, 4, 5] }
  gpt: { provider: openai, model: gpt-4o-mini, api_key_env: SOME_KEY }
  spare: { provider: openai-compatible, model: s, ports: [8100] }
  local: { provider: openai-compatible, model: l, ports: [8000] }`, ['ext', 'gpt', 'local']), { gpus: 4 });
    expect(plan.instances.map((i) => `${i.model}:${i.port}`)).toEqual(['local:8000']);
    expect(plan.external).toEqual([{ model: 'ext', modelId: 'e', urls: ['http://127.0.0.1:8002/v1'], gpus: [2, 3, 4, 5] }]);
    expect(plan.instances[0]!.gpus).toEqual([0]);
    expect(plan.idle).toEqual([1]); // 2 and 3 are the external model's
    expect(plan.notes.join('\n')).toMatch(/model "spare" is not used by any cohort/);
    expect(plan.notes.join('\n')).toMatch(/model "ext": gpus \[2,3,4,5\] noted for its external endpoints/);
    const text = formatPlan(plan);
    expect(text).toMatch(/^1 server instance on 1 of 4 GPUs:/);
    expect(text).toMatch(/model\s+port\s+GPUs\s+command/);
    expect(text).toMatch(/local\s+8000\s+0\s+CUDA_VISIBLE_DEVICES=0 vllm serve l --host 127.0.0.1 --port 8000/);
    expect(text).toMatch(/external endpoints \(already running, not launched\):\n\s+ext\s+http:\/\/127\.0\.0\.1:8002\/v1\s+GPUs 2,3,4,5/);
    expect(text).toContain('idle GPUs: 1');
  });

  it('when the models need more GPUs than --gpus gives then the message says how many are needed and available', () => {
    const p = problems(() => planServers(exp(THREE, ['small8b', 'big70b', 'pinned']), { gpus: 4 }));
    expect(p).toEqual([
      'model "big70b": needs 4 GPUs (1 instance × 4) but only 1 of --gpus 4 is available (1 taken by explicit gpus lists, 2 by models before it)',
      'in total the launched models need 7 GPUs; --gpus gives 4',
    ]);
  });

  it('when explicit lists overlap, have the wrong length or leave the range then each is reported', () => {
    const overlap = problems(() => planServers(exp(`
  a: { provider: openai-compatible, model: a, ports: [8000, 8001], gpus: [0, 1] }
  b: { provider: openai-compatible, model: b, ports: [8002], gpus: [1] }`, ['a', 'b']), { gpus: 2 }));
    expect(overlap).toEqual(['GPU 1 is assigned twice: to model "a" (port 8001) and to model "b" (port 8002)']);
    const length = problems(() => planServers(exp(`
  a: { provider: openai-compatible, model: a, ports: [8000, 8001], gpus: [0, 1, 2], gpus_per_instance: 2 }`, ['a']), { gpus: 8 }));
    expect(length).toEqual(['model "a": gpus lists 3 GPUs but needs exactly 4 (2 ports × gpus_per_instance 2)']);
    const range = problems(() => planServers(exp(`
  a: { provider: openai-compatible, model: a, ports: [8000], gpus: [9] }`, ['a']), { gpus: 8 }));
    expect(range).toEqual(['model "a": GPU 9 is out of range: --gpus 8 gives GPUs 0..7']);
  });

  it('when two instances want the same host and port then it is a clash, across models and against external endpoints', () => {
    const p = problems(() => planServers(exp(`
  a: { provider: openai-compatible, model: a, ports: [8000, 8001] }
  b: { provider: openai-compatible, model: b, host: localhost, ports: [8001] }
  c: { provider: openai-compatible, model: c, endpoints: ["http://127.0.0.1:8000/v1"] }
  d: { provider: openai-compatible, model: d, endpoints: ["http://127.0.0.1:8000/v1"] }`, ['a', 'b', 'c', 'd']), { gpus: 8 }));
    expect(p).toEqual([
      'port clash: port 8001 on localhost is used by both model "a" and model "b"',
      'port clash: port 8000 on 127.0.0.1 is used by both model "a" and external model "c" (http://127.0.0.1:8000/v1)',
      'port clash: port 8000 on 127.0.0.1 is used by both model "a" and external model "d" (http://127.0.0.1:8000/v1)',
    ]); // c and d sharing one external server is fine
  });

  it('when a plan has several problems then every one is reported at once, each naming its model', () => {
    const p = problems(() => planServers(exp(`
  a: { provider: openai-compatible, model: a, ports: [8000], gpus: [0, 5] }
  b: { provider: openai-compatible, model: b, ports: [8001], gpus: [0] }
  c: { provider: openai-compatible, model: c, ports: [8001, 8002], gpus_per_instance: 2 }`, ['a', 'b', 'c']), { gpus: 2 }));
    expect(p).toEqual([
      'model "a": GPU 5 is out of range: --gpus 2 gives GPUs 0..1',
      'model "a": gpus lists 2 GPUs but needs exactly 1 (1 port × gpus_per_instance 1)',
      'GPU 0 is assigned twice: to model "a" and to model "b" (port 8001)',
      'model "c": needs 4 GPUs (2 instances × 2) but only 1 of --gpus 2 is available (1 taken by explicit gpus lists)',
      'in total the launched models need 6 GPUs; --gpus gives 2',
      'port clash: port 8001 on 127.0.0.1 is used by both model "b" and model "c"',
    ]);
    const err = (() => {
      try {
        planServers(exp(`  a: { provider: openai-compatible, model: a, ports: [8000], gpus: [3] }`, ['a']), { gpus: 1 });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(PlanError);
    expect((err as PlanError).message).toBe('the server plan is infeasible (1 problem):\n  - model "a": GPU 3 is out of range: --gpus 1 gives only GPU 0');
  });
});
