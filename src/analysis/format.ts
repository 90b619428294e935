/**
 * Plain-text rendering of a {@link RunSummary} for the terminal (`socialsim inspect`).
 */
import type { RunSummary } from './summary.js';

type Cell = string | number | null;

/** Left-aligns text columns and right-aligns numeric ones. */
export function textTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const str = rows.map((r) => r.map((c) => (c === null ? '' : String(c))));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === null));
  const widths = headers.map((h, i) => Math.max(h.length, ...str.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const lines = [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of str) lines.push(fmt(r));
  return lines.join('\n');
}

export interface FormatOptions {
  /** Show at most this many per-step rows (first and last halves); default 40. */
  maxSteps?: number;
}

export function formatRunSummary(s: RunSummary, opts: FormatOptions = {}): string {
  const t = s.totals;
  const out: string[] = [];
  out.push(`sim db: ${s.dbPath}`);
  out.push(
    `users ${t.users} (agents ${t.agents})  posts ${t.posts}  likes ${t.likes}  reposts ${t.reposts}  follows ${t.follows}`,
  );
  out.push(
    `steps ${t.steps} (${t.first_sim_time ?? '-'} .. ${t.last_sim_time ?? '-'})  actions ${t.actions}  failed ${t.failed_actions}`,
  );
  const section = (title: string, body: string): void => {
    out.push('', `## ${title}`, body);
  };
  if (s.datasetLoad && s.datasetLoad.length > 0) {
    const skipped = s.datasetLoad.filter((t) => t.skipped > 0);
    const reasons = skipped.flatMap((t) => [
      `${t.file}: ${t.skipped} bad row${t.skipped === 1 ? '' : 's'} skipped (on_bad_row: skip)${t.skipped > t.examples.length ? `, the first ${t.examples.length}:` : ':'}`,
      ...t.examples.map((e) => `  ${e}`),
    ]);
    section('Dataset', [textTable(['table', 'file', 'rows', 'skipped'], s.datasetLoad.map((t) => [t.table, t.file, t.rows, t.skipped])), ...(reasons.length > 0 ? ['', ...reasons] : [])].join('\n'));
  }
  section(
    'Accounts by cohort and model',
    textTable(['cohort', 'model', 'kind', 'users'], s.agentsByCohortModel.map((r) => [r.cohort, r.model, r.kind, r.users])),
  );
  section('Posts by kind', textTable(['kind', 'posts'], s.postsByKind.map((r) => [r.kind, r.posts])));
  section(
    'Actions by type',
    textTable(['action', 'ok', 'failed', 'total'], s.actionsByType.map((r) => [r.action, r.ok, r.failed, r.total])),
  );
  const max = Math.max(2, opts.maxSteps ?? 40);
  let steps = s.steps.map((r): Cell[] => [r.step, r.sim_time, r.active_agents, r.actions, r.failed_actions]);
  let note = '';
  if (steps.length > max) {
    const head = Math.ceil(max / 2);
    note = `\n(${steps.length - max} of ${steps.length} steps not shown)`;
    steps = [...steps.slice(0, head), ['...', null, null, null, null], ...steps.slice(steps.length - (max - head))];
  }
  section('Steps', textTable(['step', 'sim_time', 'active_agents', 'actions', 'failed_actions'], steps) + note);
  if (s.interventions.length > 0) {
    section('Interventions', textTable(['step', 'action', 'target', 'applied'], s.interventions.map((r) => [r.step, r.action, r.target, r.ok ? 'yes' : `no: ${r.error ?? ''}`])));
  }
  section(
    'Top failure errors',
    s.topErrors.length === 0
      ? '(none)'
      : textTable(['count', 'actions', 'error'], s.topErrors.map((r) => [r.count, r.actions, r.error])),
  );
  return out.join('\n');
}
