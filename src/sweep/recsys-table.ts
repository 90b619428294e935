/**
 * The recommender evaluation table (issue #5, after the seed's Table 2): one row per
 * recommender (per combination of the other swept parameters), one column per browse-mode
 * metric, each cell the mean over seeds with its 95 % t-interval (clipped to the metric's
 * range); the best mean of a column is marked. Written as Markdown and CSV beside the sweep index and shown in the sweep report.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVALUATION_METRICS } from '../analysis/recsys-eval.js';
import { METRICS, type IndexRow } from './index-db.js';
import { meanInterval } from './stats.js';

export interface TableCell {
  readonly n: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly best: boolean;
}

export interface EvaluationTable {
  /** What a row stands for, e.g. "recsys.kind=mf" or "recsys.kind=mf window=6". */
  readonly rows: readonly { readonly label: string; readonly cells: readonly (TableCell | null)[] }[];
  readonly metrics: readonly { readonly title: string; readonly description: string }[];
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Null when no completed run has browse-mode metrics (the sweep did not use browse mode). */
export function evaluationTable(params: readonly string[], rows: readonly IndexRow[]): EvaluationTable | null {
  const keys = params.filter((p) => p !== 'seed');
  const groups = new Map<string, IndexRow[]>();
  for (const r of rows) {
    if (r.status !== 'completed' || !r.metrics || r.metrics.p_view === null) continue;
    const label = keys.map((k) => (keys.length === 1 ? show(r.params[k]) : `${k}=${show(r.params[k])}`)).join(' ') || 'all runs';
    groups.set(label, [...(groups.get(label) ?? []), r]);
  }
  if (groups.size === 0) return null;
  const stats = [...groups].map(([label, runs]) => ({
    label,
    cells: EVALUATION_METRICS.map((m) => {
      const values = runs.map((r) => r.metrics?.[m.key]).filter((v): v is number => typeof v === 'number');
      // Clipped to what the metric can be (P_view in 0..1, S_sat in 1..10 …).
      return values.length > 0 ? meanInterval(values, METRICS.find((d) => d.key === m.key)?.range) : null;
    }),
  }));
  const best = EVALUATION_METRICS.map((m, j) => {
    const means = stats.map((s) => s.cells[j]?.mean).filter((v): v is number => v !== undefined);
    return m.higherIsBetter ? Math.max(...means) : Math.min(...means);
  });
  return {
    metrics: EVALUATION_METRICS.map(({ title, description }) => ({ title, description })),
    rows: stats.map((s) => ({ label: s.label, cells: s.cells.map((c, j) => (c ? { ...c, best: stats.length > 1 && c.mean === best[j] } : null)) })),
  };
}

const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toFixed(4));

/** "mean [lo, hi]" with the best marked by a star; "–" when the metric is missing. */
export function cellText(c: TableCell | null): string {
  if (!c) return '–';
  const interval = c.n > 1 ? ` [${fmt(c.lo)}, ${fmt(c.hi)}]` : '';
  return `${fmt(c.mean)}${interval}${c.best ? ' ★' : ''}`;
}

export function tableMarkdown(t: EvaluationTable): string {
  const header = ['recommender', ...t.metrics.map((m) => m.title)];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...t.rows.map((r) => `| ${[r.label, ...r.cells.map((c) => cellText(c).replace(' ★', ' **★**'))].join(' | ')} |`),
    '',
    `Mean over seeds [95 % t-interval]; ★ marks the best mean of each column. ${t.metrics.map((m) => `${m.title}: ${m.description}`).join('; ')}.`,
  ];
  return `${lines.join('\n')}\n`;
}

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function tableCsv(t: EvaluationTable): string {
  const header = ['recommender', ...t.metrics.flatMap((m) => [`${m.title}_mean`, `${m.title}_lo`, `${m.title}_hi`, `${m.title}_n`, `${m.title}_best`])];
  const lines = t.rows.map((r) =>
    [csvField(r.label), ...r.cells.flatMap((c) => (c ? [String(c.mean), String(c.lo), String(c.hi), String(c.n), c.best ? '1' : '0'] : ['', '', '', '0', '0']))].join(','),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

/** Writes recsys-table.md and recsys-table.csv into the sweep folder; returns their paths. */
export function writeEvaluationTable(sweepDir: string, t: EvaluationTable): string[] {
  const out: string[] = [];
  for (const [name, text] of [['recsys-table.md', tableMarkdown(t)], ['recsys-table.csv', tableCsv(t)]] as const) {
    const file = join(sweepDir, name);
    writeFileSync(`${file}.tmp-${process.pid}`, text);
    renameSync(`${file}.tmp-${process.pid}`, file);
    out.push(file);
  }
  return out;
}
