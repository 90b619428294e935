/**
 * The cluster inventory's checks the schema cannot express (unique host names, models' `host`
 * and `hosts` naming inventory hosts, explicit `gpus` lists pinned to one host), and the one
 * rule both the checks and the planner read: which hosts a model's instances may go on.
 */
import type { RawIssue } from './messages.js';
import { didYouMean } from './suggest.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Hosts a model without a cluster would use: they leave the model to the packing. */
const UNPINNED = new Set(['127.0.0.1', 'localhost']);

/**
 * The host names a model's instances may go on, or null for any. `host:` pins when it names an
 * inventory host; the default (127.0.0.1) and localhost do not pin, so a single-machine file
 * gains a cluster without edits. Anything else is an error the checks below report.
 */
export function allowedHosts(model: { readonly host?: unknown; readonly hosts?: unknown }, names: readonly string[]): readonly string[] | null {
  if (Array.isArray(model.hosts)) return model.hosts.filter((h): h is string => typeof h === 'string');
  if (typeof model.host === 'string' && names.includes(model.host)) return [model.host];
  return null;
}

export function clusterChecks(data: Rec): RawIssue[] {
  const out: RawIssue[] = [];
  const cluster = isRec(data.cluster) ? data.cluster : undefined;
  const hosts = cluster && Array.isArray(cluster.hosts) ? cluster.hosts : [];
  const names: string[] = [];
  hosts.forEach((h, i) => {
    if (!isRec(h) || typeof h.name !== 'string') return;
    const first = names.indexOf(h.name);
    if (first >= 0) out.push({ segments: ['cluster', 'hosts', i, 'name'], kind: 'value', message: `duplicate host name "${h.name}" (already used by cluster.hosts[${first}])` });
    names.push(h.name);
  });
  const models = isRec(data.models) ? Object.entries(data.models) : [];
  for (const [name, m] of models) {
    if (!isRec(m) || m.provider !== 'openai-compatible') continue;
    const at = (...rest: (string | number)[]): (string | number)[] => ['models', name, ...rest];
    if (!cluster) {
      if (m.hosts !== undefined) out.push({ segments: at('hosts'), kind: 'key', message: 'hosts names cluster hosts, but there is no cluster: add cluster.hosts, or remove hosts' });
      continue;
    }
    const known = names.length > 0 ? `cluster hosts: ${[...new Set(names)].join(', ')}` : 'no cluster hosts are defined';
    if (Array.isArray(m.hosts)) {
      m.hosts.forEach((h, j) => {
        if (typeof h === 'string' && !names.includes(h)) out.push({ segments: at('hosts', j), kind: 'value', message: `unknown host "${h}"; ${known}${didYouMean(h, names)}` });
      });
      if (typeof m.host === 'string' && !UNPINNED.has(m.host)) out.push({ segments: at('host'), kind: 'key', message: 'give host (one cluster host) or hosts (several), not both' });
    } else if (typeof m.host === 'string' && !UNPINNED.has(m.host) && !names.includes(m.host)) {
      out.push({ segments: at('host'), kind: 'value', message: `with a cluster, host names the cluster host the model's servers go on; unknown host "${m.host}"; ${known}${didYouMean(m.host, names)}` });
    }
    if (Array.isArray(m.gpus) && m.endpoints === undefined) {
      const pinned = allowedHosts(m, names);
      if (pinned === null || pinned.length !== 1) {
        out.push({ segments: at('gpus'), kind: 'key', message: 'an explicit gpus list needs its host on a cluster: name it with host: <cluster host> (GPU indices are that host\'s)' });
      }
    }
  }
  return out;
}
