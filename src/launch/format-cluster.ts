/** A cluster plan as text: per host, its instances and server commands; then the run's endpoints. */
import type { HostUsage, ServerPlan } from './plan.js';
import { table } from './format-table.js';

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

export function formatClusterPlan(plan: ServerPlan, hosts: readonly HostUsage[]): string {
  const used = plan.instances.reduce((n, i) => n + i.gpus.length, 0);
  const out: string[] = [
    plan.instances.length === 0
      ? `no servers to launch (${plural(plan.gpus, 'GPU')} on ${plural(hosts.length, 'host')})`
      : `${plural(plan.instances.length, 'server instance')} on ${used} of ${plural(plan.gpus, 'GPU')} over ${plural(hosts.length, 'host')}:`,
  ];
  for (const h of hosts) {
    const mine = plan.instances.filter((i) => i.node?.name === h.name);
    const login = h.sshTarget === h.address ? '' : `, ssh ${h.sshTarget}`;
    out.push('', `host ${h.name} (${h.address}${login}): ${plural(mine.length, 'instance')}, idle GPUs: ${h.idle.length > 0 ? h.idle.join(', ') : 'none'}`);
    if (mine.length === 0) continue;
    const rows = mine.map((i) => [i.model, String(i.port), i.gpus.join(',') || '-', `CUDA_VISIBLE_DEVICES=${i.env.CUDA_VISIBLE_DEVICES} ${i.command}`]);
    out.push(...table(['model', 'port', 'GPUs', 'command'], rows).map((l) => `  ${l}`));
  }
  const endpoints = [
    ...[...new Set(plan.instances.map((i) => i.model))].map((m) => [m, plan.instances.filter((i) => i.model === m).map((i) => i.url).join(' ')]),
    ...plan.external.map((e) => [e.model, `${e.urls.join(' ')} (already running)`]),
    ...(plan.hosted ?? []).map((h) => [h.model, `${h.url} (hosted, no GPUs)`]),
  ];
  if (endpoints.length > 0) {
    out.push('', 'endpoints the run will use:');
    out.push(...table(['model', 'endpoints'], endpoints).slice(1).map((l) => `  ${l}`));
  }
  for (const n of plan.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}
