/** The server plan as text: one row per instance, then external endpoints, idle GPUs, notes. */
import type { ServerPlan } from './plan.js';
import { formatClusterPlan } from './format-cluster.js';
import { table } from './format-table.js';

export function formatPlan(plan: ServerPlan): string {
  if (plan.hosts !== undefined) return formatClusterPlan(plan, plan.hosts);
  const out: string[] = [];
  const usedGpus = new Set(plan.instances.flatMap((i) => i.gpus)).size;
  out.push(
    plan.instances.length === 0
      ? `no servers to launch (--gpus ${plan.gpus})`
      : `${plan.instances.length} server instance${plan.instances.length === 1 ? '' : 's'} on ${usedGpus} of ${plan.gpus} GPU${plan.gpus === 1 ? '' : 's'}:`,
  );
  if (plan.instances.length > 0) {
    out.push('');
    const rows = plan.instances.map((i) => [i.model, String(i.port), i.gpus.join(',') || '-', `CUDA_VISIBLE_DEVICES=${i.env.CUDA_VISIBLE_DEVICES} ${i.command}`]);
    out.push(...table(['model', 'port', 'GPUs', 'command'], rows).map((l) => `  ${l}`));
  }
  if (plan.external.length > 0) {
    out.push('', 'external endpoints (already running, not launched):');
    const rows = plan.external.map((e) => [e.model, e.urls.join(' '), e.gpus ? `GPUs ${e.gpus.join(',')}` : '']);
    out.push(...table(['model', 'endpoints', ''], rows).slice(1).map((l) => `  ${l}`));
  }
  out.push('', `idle GPUs: ${plan.idle.length > 0 ? plan.idle.join(', ') : 'none'}`);
  for (const n of plan.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}
