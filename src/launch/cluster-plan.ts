/**
 * The server plan over a cluster inventory (`cluster.hosts`): pure, no I/O.
 * Packing rule (README "Model servers on several hosts"): explicit `gpus` lists go on the host
 * their model names; every other instance is placed largest `gpus_per_instance` first (ties in
 * YAML model order, then port order), on the first host in inventory order (among the model's
 * allowed hosts) with enough free GPUs, taking that host's lowest contiguous block when there
 * is one. An instance never spans hosts: tensor parallelism over the network is not offered.
 */
import type { ClusterHost, Experiment } from '../config/types.js';
import { allowedHosts } from '../config/cluster.js';
import { deepFreeze } from '../config/resolve.js';
import { OPENAI_BASE_URL } from '../llm/settings.js';
import {
  collectModels, fillCommand, gpuList, hostKey, hostPort, plural, PlanError, takeFirstFit,
  type HostUsage, type InstanceNode, type Pending, type PlannedInstance, type ServerPlan,
} from './plan.js';

export function sshTarget(h: ClusterHost): string {
  if (h.ssh === undefined) return h.address;
  return h.ssh.includes('@') ? h.ssh : `${h.ssh}@${h.address}`;
}

const node = (h: ClusterHost): InstanceNode => ({ name: h.name, address: h.address, sshTarget: sshTarget(h) });
const urlHost = (a: string): string => (a.includes(':') && !a.startsWith('[') ? `[${a}]` : a);

interface Slot {
  readonly p: Pending;
  readonly i: number;
  readonly tp: number;
}

export function planCluster(exp: Experiment): ServerPlan {
  const cluster = exp.cluster;
  if (cluster === undefined) throw new Error('planCluster needs cluster.hosts');
  const hosts = cluster.hosts;
  const names = hosts.map((h) => h.name);
  const problems: string[] = [];
  const { pending, external, notes } = collectModels(exp);
  const free = new Map(hosts.map((h) => [h.name, Array.from({ length: h.gpus }, (_, g) => g)]));
  const hostOf = new Map<Pending, string[]>();

  // 1. Explicit gpus lists, on the one host the model names (the loader insists on it).
  const owner = new Map<string, string>();
  for (const p of pending) {
    const { cfg, model } = p;
    if (cfg.gpus === undefined) continue;
    const host = hosts.find((h) => h.name === allowedHosts(cfg, names)?.[0]);
    if (host === undefined) {
      problems.push(`model "${model}": an explicit gpus list needs host: <cluster host>`);
      continue;
    }
    const ports = cfg.ports ?? [];
    const tp = cfg.gpus_per_instance;
    for (const g of cfg.gpus) if (g >= host.gpus) problems.push(`model "${model}": GPU ${g} is out of range: host ${host.name} has GPUs 0..${host.gpus - 1}`);
    if (cfg.gpus.length !== ports.length * tp) {
      problems.push(`model "${model}": gpus lists ${plural(cfg.gpus.length, 'GPU')} but needs exactly ${ports.length * tp} (${plural(ports.length, 'port')} × gpus_per_instance ${tp})`);
      continue;
    }
    ports.forEach((port, i) => {
      const mine = cfg.gpus!.slice(i * tp, (i + 1) * tp);
      for (const g of mine) {
        const prev = owner.get(`${host.name}/${g}`);
        if (prev !== undefined) problems.push(`GPU ${g} of host ${host.name} is assigned twice: to ${prev} and to model "${model}" (port ${port})`);
        owner.set(`${host.name}/${g}`, `model "${model}" (port ${port})`);
      }
      p.assigned[i] = mine;
    });
    const left = free.get(host.name)!.filter((g) => !cfg.gpus!.includes(g));
    free.set(host.name, left);
    hostOf.set(p, ports.map(() => host.name));
  }

  // 2. Packing, largest tensor-parallel size first; a stable sort keeps YAML and port order.
  const slots: Slot[] = pending.filter((p) => p.cfg.gpus === undefined).flatMap((p) => p.assigned.map((_, i) => ({ p, i, tp: p.cfg.gpus_per_instance })));
  slots.sort((a, b) => b.tp - a.tp);
  const totalGpus = hosts.reduce((n, h) => n + h.gpus, 0);
  const need = pending.reduce((n, p) => n + p.assigned.length * p.cfg.gpus_per_instance, 0);
  const unplaced = new Map<Pending, number>();
  for (const s of slots) {
    const allowed = allowedHosts(s.p.cfg, names) ?? names;
    const biggest = Math.max(...hosts.filter((h) => allowed.includes(h.name)).map((h) => h.gpus));
    if (s.tp > biggest) {
      if (s.i === 0) problems.push(`model "${s.p.model}": one instance needs ${plural(s.tp, 'GPU')} (gpus_per_instance) but the largest ${allowed.length < names.length ? 'allowed ' : ''}host has ${biggest}; an instance never spans hosts`);
      continue;
    }
    const host = hosts.find((h) => allowed.includes(h.name) && free.get(h.name)!.length >= s.tp);
    if (host === undefined) {
      unplaced.set(s.p, (unplaced.get(s.p) ?? 0) + 1);
      continue;
    }
    const left = free.get(host.name)!;
    const got = takeFirstFit(left, s.tp);
    free.set(host.name, left.filter((g) => !got.includes(g)));
    s.p.assigned[s.i] = got;
    const where = hostOf.get(s.p) ?? s.p.assigned.map(() => '');
    where[s.i] = host.name;
    hostOf.set(s.p, where);
  }
  for (const [p, n] of unplaced) {
    const left = hosts.map((h) => `${h.name} ${free.get(h.name)!.length}`).join(', ');
    problems.push(`model "${p.model}": ${n} of ${plural(p.assigned.length, 'instance')} (${p.cfg.gpus_per_instance} GPU${p.cfg.gpus_per_instance === 1 ? '' : 's'} each) find no host with room; free GPUs left: ${left}`);
  }
  if (need > totalGpus || unplaced.size > 0) problems.push(`in total the launched models need ${plural(need, 'GPU')}; the cluster has ${totalGpus} on ${plural(hosts.length, 'host')}`);

  // 3. Ports: one listener per address and port, external endpoints included.
  const byHost = new Map(hosts.map((h) => [h.name, h]));
  const ports = new Map<string, string>();
  const portClaim = (address: string, port: number, who: string, launched: boolean): void => {
    const key = `${hostKey(address)}:${port}`;
    const prev = ports.get(key);
    if (prev === undefined) ports.set(key, who);
    else if (launched || !prev.startsWith('external')) problems.push(`port clash: port ${port} on ${address} is used by both ${prev} and ${who}`);
  };
  for (const p of pending) (p.cfg.ports ?? []).forEach((port, i) => {
    const h = byHost.get(hostOf.get(p)?.[i] ?? '');
    if (h) portClaim(h.address, port, `model "${p.model}"`, true);
  });
  for (const e of external) for (const url of e.urls) {
    const hp = hostPort(url);
    if (hp) portClaim(hp.host, hp.port, `external model "${e.model}" (${url})`, false);
  }
  if (problems.length > 0) throw new PlanError(problems);

  const instances: PlannedInstance[] = pending.flatMap((p) => (p.cfg.ports ?? []).map((port, i): PlannedInstance => {
    const h = byHost.get(hostOf.get(p)![i]!)!;
    const gpus = p.assigned[i] ?? [];
    return {
      model: p.model,
      modelId: p.cfg.model,
      host: h.address,
      port,
      gpus,
      command: fillCommand(p.cfg.serve.command, { model: p.cfg.model, host: h.address, port, tp: p.cfg.gpus_per_instance, gpus }),
      env: { CUDA_VISIBLE_DEVICES: gpuList(gpus) },
      url: `http://${urlHost(h.address)}:${port}/v1`,
      readyTimeoutS: p.cfg.serve.ready_timeout_s,
      node: node(h),
    };
  }));
  const usage: HostUsage[] = hosts.map((h) => {
    const busy = new Set(instances.filter((i) => i.node?.name === h.name).flatMap((i) => i.gpus));
    return { ...node(h), gpus: h.gpus, idle: Array.from({ length: h.gpus }, (_, g) => g).filter((g) => !busy.has(g)) };
  });
  const used = new Set(exp.cohorts.map((c) => c.model));
  const hosted = Object.entries(exp.models).flatMap(([model, cfg]) => (cfg.provider === 'openai' && used.has(model) ? [{ model, url: cfg.base_url ?? OPENAI_BASE_URL }] : []));
  return { gpus: totalGpus, instances, external, idle: [], notes, hosts: usage, hosted };
}

/**
 * The experiment the run uses: each planned model's endpoints are its instances' URLs (the
 * hosts' addresses), in port order, instead of `host` + `ports`. Without a cluster, unchanged.
 */
export function withPlannedEndpoints(exp: Experiment, plan: ServerPlan): Experiment {
  if (exp.cluster === undefined || plan.instances.length === 0) return exp;
  const models = { ...exp.models };
  for (const [key, cfg] of Object.entries(exp.models)) {
    const urls = plan.instances.filter((i) => i.model === key).map((i) => i.url);
    if (cfg.provider !== 'openai-compatible' || urls.length === 0) continue;
    const { ports: _ports, ...rest } = cfg;
    models[key] = { ...rest, endpoints: urls };
  }
  return deepFreeze({ ...exp, models });
}
