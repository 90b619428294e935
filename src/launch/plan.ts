/**
 * Which inference servers `socialsim launch` starts, on which GPUs and ports: pure, no I/O.
 * Every `openai-compatible` model a cohort uses and that lists `ports` gets one instance per
 * port with `gpus_per_instance` GPUs each: split in order from its explicit `gpus` list, else
 * packed first-fit (contiguous blocks when possible) onto the GPUs nobody else claimed.
 * Models given as `endpoints` URLs are already running: listed as external, never launched.
 */
import type { Experiment, OpenAICompatibleModelConfig } from '../config/types.js';
import { embeddingModels } from '../config/embedding-models.js';

export { formatPlan } from './format.js';

export interface PlannedInstance {
  /** Key in `models`. */
  readonly model: string;
  /** The served model id (`models.<key>.model`). */
  readonly modelId: string;
  readonly host: string;
  readonly port: number;
  readonly gpus: readonly number[];
  /** `serve.command` with {model} {host} {port} {tp} {gpus} filled. */
  readonly command: string;
  readonly env: Readonly<Record<string, string>> & { readonly CUDA_VISIBLE_DEVICES: string };
  /** `http://host:port/v1` */
  readonly url: string;
  /** `serve.ready_timeout_s` */
  readonly readyTimeoutS: number;
  /** The cluster host it runs on; absent on one machine (then it starts locally). */
  readonly node?: InstanceNode;
}

/** A cluster host as an instance needs it: where it listens and whom to ssh to. */
export interface InstanceNode {
  readonly name: string;
  readonly address: string;
  /** `ssh` destination: `user@address`, the inventory's `user@host`, or the address. */
  readonly sshTarget: string;
}

/** One cluster host in a plan: its GPUs and those no instance uses. */
export interface HostUsage extends InstanceNode {
  readonly gpus: number;
  readonly idle: readonly number[];
}

/** A model served by `endpoints` the user runs; `gpus` only as written (informational). */
export interface ExternalModel {
  readonly model: string;
  readonly modelId: string;
  readonly urls: readonly string[];
  readonly gpus?: readonly number[];
}

export interface ServerPlan {
  /** `--gpus`: GPUs 0..gpus-1 exist. */
  readonly gpus: number;
  readonly instances: readonly PlannedInstance[];
  readonly external: readonly ExternalModel[];
  /** GPUs in 0..gpus-1 no planned instance uses (and no external model says it uses). */
  readonly idle: readonly number[];
  /** Things worth knowing that are not problems. */
  readonly notes: readonly string[];
  /** With a cluster: each host in inventory order (then `gpus` is their total, `idle` empty). */
  readonly hosts?: readonly HostUsage[];
  /** With a cluster: hosted models the run calls (no GPUs), for the endpoints list. */
  readonly hosted?: readonly { readonly model: string; readonly url: string }[];
}

/** The plan cannot be carried out; `problems` lists every reason, each naming its model. */
export class PlanError extends Error {
  readonly code = 'plan.infeasible';
  constructor(readonly problems: readonly string[]) {
    super(`the server plan is infeasible (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PlanError';
  }
}

export interface PlanOptions {
  /** GPUs on this machine (indices 0..gpus-1). */
  readonly gpus: number;
}

export interface Pending {
  readonly model: string;
  readonly cfg: OpenAICompatibleModelConfig;
  /** Per instance, in port order; filled by the explicit list or by packing. */
  readonly assigned: (readonly number[] | null)[];
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '0.0.0.0', '::1', '::', '[::1]', '[::]']);
/** Hosts that name the same listening sockets of this machine share one key. */
export const hostKey = (host: string): string => (LOCAL_HOSTS.has(host.toLowerCase()) || host.startsWith('127.') ? 'local' : host.toLowerCase());
export const gpuList = (gpus: readonly number[]): string => gpus.join(',');
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Quotes a value for /bin/sh unless it is plainly safe. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\-.,/:@%+=]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Fills the known placeholders; anything else in braces (e.g. JSON arguments) is left alone. */
export function fillCommand(template: string, v: { model: string; host: string; port: number; tp: number; gpus: readonly number[] }): string {
  const values: Record<string, string> = {
    model: shellQuote(v.model),
    host: shellQuote(v.host),
    port: String(v.port),
    tp: String(v.tp),
    gpus: gpuList(v.gpus),
  };
  return template.replace(/\{(model|host|port|tp|gpus)\}/g, (_, k: string) => values[k] ?? '');
}

/** Host and port of an endpoint URL, or null when it does not parse. */
export function hostPort(url: string): { host: string; port: number } | null {
  try {
    const u = new URL(url);
    const port = u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    return { host: u.hostname, port };
  } catch {
    return null;
  }
}

/** Lowest `n` free GPUs: the first contiguous run of n when there is one, else the first n. */
export function takeFirstFit(free: number[], n: number): number[] {
  for (let i = 0; i + n <= free.length; i++) {
    if (free[i + n - 1]! - free[i]! === n - 1) return free.slice(i, i + n);
  }
  return free.slice(0, n);
}

/** The models `launch` starts (cohorts' or the recommender's, with `ports`), those already running, and notes on the rest. */
export function collectModels(exp: Experiment): { pending: Pending[]; external: ExternalModel[]; notes: string[] } {
  const notes: string[] = [];
  const used = new Set([...exp.cohorts.map((c) => c.model), ...embeddingModels(exp)]);
  const pending: Pending[] = [];
  const external: ExternalModel[] = [];

  for (const [model, cfg] of Object.entries(exp.models)) {
    if (cfg.provider !== 'openai-compatible') continue;
    if (!used.has(model)) {
      notes.push(`model "${model}" is not used by any cohort or the recommender: not launched`);
      continue;
    }
    if (cfg.endpoints !== undefined || cfg.ports === undefined) {
      external.push({ model, modelId: cfg.model, urls: [...(cfg.endpoints ?? [])], ...(cfg.gpus ? { gpus: [...cfg.gpus] } : {}) });
      if (cfg.gpus !== undefined) {
        notes.push(`model "${model}": gpus [${gpuList(cfg.gpus)}] noted for its external endpoints (already running, not launched; the packer avoids them)`);
      }
      continue;
    }
    pending.push({ model, cfg, assigned: cfg.ports.map(() => null) });
  }
  return { pending, external, notes };
}

export function planServers(exp: Experiment, opts: PlanOptions): ServerPlan {
  const problems: string[] = [];
  const { pending, external, notes } = collectModels(exp);

  // GPU → who holds it, for overlap messages.
  const owner = new Map<number, string>();
  const claim = (gpu: number, who: string): void => {
    const prev = owner.get(gpu);
    if (prev !== undefined) problems.push(`GPU ${gpu} is assigned twice: to ${prev} and to ${who}`);
    else owner.set(gpu, who);
  };

  // 1. Explicit gpus lists: length, range, overlap; split in order among the instances.
  for (const p of pending) {
    const { cfg, model } = p;
    if (cfg.gpus === undefined) continue;
    const ports = cfg.ports ?? [];
    const tp = cfg.gpus_per_instance;
    const want = ports.length * tp;
    for (const g of cfg.gpus) {
      if (g >= opts.gpus) problems.push(`model "${model}": GPU ${g} is out of range: --gpus ${opts.gpus} gives ${opts.gpus === 0 ? 'no GPUs' : opts.gpus === 1 ? 'only GPU 0' : `GPUs 0..${opts.gpus - 1}`}`);
    }
    if (cfg.gpus.length !== want) {
      problems.push(
        `model "${model}": gpus lists ${plural(cfg.gpus.length, 'GPU')} but needs exactly ${want} ` +
          `(${plural(ports.length, 'port')} × gpus_per_instance ${tp})`,
      );
      for (const g of new Set(cfg.gpus)) claim(g, `model "${model}"`);
      continue;
    }
    ports.forEach((port, i) => {
      const mine = cfg.gpus!.slice(i * tp, (i + 1) * tp);
      for (const g of mine) claim(g, `model "${model}" (port ${port})`);
      p.assigned[i] = mine;
    });
  }

  // 2. Packing: GPUs nobody claimed, minus those an external model says it runs on.
  const reserved = new Set(external.flatMap((e) => e.gpus ?? []));
  const free = Array.from({ length: Math.max(0, opts.gpus) }, (_, g) => g).filter((g) => !owner.has(g) && !reserved.has(g));
  const explicitCount = [...owner.keys()].filter((g) => g < opts.gpus).length;
  const reservedCount = [...reserved].filter((g) => g < opts.gpus && !owner.has(g)).length;
  let packedSoFar = 0;
  let shortage = false;
  for (const p of pending) {
    if (p.cfg.gpus !== undefined) continue;
    const tp = p.cfg.gpus_per_instance;
    const need = p.assigned.length * tp;
    if (need > free.length) {
      shortage = true;
      const taken = [
        explicitCount > 0 ? `${explicitCount} taken by explicit gpus lists` : '',
        reservedCount > 0 ? `${reservedCount} by external models` : '',
        packedSoFar > 0 ? `${packedSoFar} by models before it` : '',
      ].filter(Boolean);
      problems.push(
        `model "${p.model}": needs ${plural(need, 'GPU')} (${plural(p.assigned.length, 'instance')} × ${tp}) but only ${free.length} of --gpus ${opts.gpus} ` +
          `${free.length === 1 ? 'is' : 'are'} available${taken.length > 0 ? ` (${taken.join(', ')})` : ''}`,
      );
      continue;
    }
    p.assigned.forEach((_, i) => {
      const got = takeFirstFit(free, tp);
      for (const g of got) free.splice(free.indexOf(g), 1);
      p.assigned[i] = got;
    });
    packedSoFar += need;
  }
  if (shortage) {
    const total = pending.reduce((n, p) => n + p.assigned.length * p.cfg.gpus_per_instance, 0);
    problems.push(`in total the launched models need ${plural(total, 'GPU')}${reservedCount > 0 ? ` (plus ${reservedCount} noted by external models)` : ''}; --gpus gives ${opts.gpus}`);
  }

  // 3. Ports: the same host:port twice, across models and against external endpoints.
  const ports = new Map<string, string>();
  const portClaim = (host: string, port: number, who: string, launched: boolean): void => {
    const key = `${hostKey(host)}:${port}`;
    const prev = ports.get(key);
    if (prev === undefined) ports.set(key, who);
    else if (launched || !prev.startsWith('external')) problems.push(`port clash: port ${port} on ${host} is used by both ${prev} and ${who}`);
  };
  for (const p of pending) for (const port of p.cfg.ports ?? []) portClaim(p.cfg.host, port, `model "${p.model}"`, true);
  for (const e of external) {
    for (const url of e.urls) {
      const hp = hostPort(url);
      if (hp) portClaim(hp.host, hp.port, `external model "${e.model}" (${url})`, false);
    }
  }

  if (problems.length > 0) throw new PlanError(problems);

  const instances: PlannedInstance[] = pending.flatMap((p) =>
    (p.cfg.ports ?? []).map((port, i): PlannedInstance => {
      const gpus = p.assigned[i] ?? [];
      return {
        model: p.model,
        modelId: p.cfg.model,
        host: p.cfg.host,
        port,
        gpus,
        command: fillCommand(p.cfg.serve.command, { model: p.cfg.model, host: p.cfg.host, port, tp: p.cfg.gpus_per_instance, gpus }),
        env: { CUDA_VISIBLE_DEVICES: gpuList(gpus) },
        url: `http://${p.cfg.host.includes(':') && !p.cfg.host.startsWith('[') ? `[${p.cfg.host}]` : p.cfg.host}:${port}/v1`,
        readyTimeoutS: p.cfg.serve.ready_timeout_s,
      };
    }),
  );
  const busy = new Set([...instances.flatMap((i) => i.gpus), ...reserved]);
  const idle = Array.from({ length: Math.max(0, opts.gpus) }, (_, g) => g).filter((g) => !busy.has(g));
  return { gpus: opts.gpus, instances, external, idle, notes };
}
