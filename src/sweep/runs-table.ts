/**
 * The sweep report's tables: the settings and costs of each condition (agents and wall time are
 * not outcomes, so they are not charted) and every run with its parameters and metrics, each
 * run id linking to that run's report.
 */
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { escapeHtml, formatDuration, htmlTable, type TableCell } from '../report/html.js';
import { byCondition, conditionKeys, showParam } from './conditions.js';
import { METRICS, type IndexRow, type MetricDef } from './index-db.js';

const fmtMetric = (m: MetricDef, v: number | null | undefined): string => {
  if (v === undefined || v === null) return '';
  if (m.key === 'wall_ms') return formatDuration(v);
  return m.scale === 'count' ? v.toLocaleString('en-US') : v.toFixed(3);
};

/** Per condition: how many runs completed, with how many agents, and what they took. */
export function settingsTable(params: readonly string[], rows: readonly IndexRow[]): string {
  const keys = conditionKeys(params);
  const body = [...byCondition(params, rows)].map(([label, runs]): TableCell[] => {
    const done = runs.filter((r) => r.status === 'completed' && r.metrics);
    const agents = [...new Set(done.map((r) => r.metrics!.agents))].sort((a, b) => a - b);
    const walls = done.map((r) => r.metrics!.wall_ms);
    const mean = walls.reduce((a, b) => a + b, 0) / Math.max(1, walls.length);
    return [
      label,
      `${done.length} of ${runs.length}`,
      agents.map((a) => a.toLocaleString('en-US')).join(', '),
      walls.length === 0 ? '' : `${formatDuration(mean)} (${formatDuration(Math.min(...walls))} – ${formatDuration(Math.max(...walls))})`,
    ];
  });
  return htmlTable([keys.length === 0 ? '' : keys.join(' '), 'runs completed', 'agents', 'wall time: mean (min – max)'], body, { numeric: [1, 2, 3] });
}

/** The run's report from the sweep folder, as a relative link (`../<run-id>/report.html`), when it exists. */
function reportLink(sweepDir: string, row: IndexRow): string | null {
  const file = join(row.run_dir, 'report.html');
  return existsSync(file) ? relative(sweepDir, file).split(sep).join('/') : null;
}

interface Column {
  header: string;
  /** Header tooltip. */
  title?: string;
  numeric: boolean;
  /** The cell's HTML (escaped). */
  cell(r: IndexRow): string;
  /** The cell's text, to drop columns empty in every row. */
  text(r: IndexRow): string;
}

/**
 * Every run: id (a link to its report), status, parameters and metrics, with the columns that
 * are empty in every run (browse metrics without browse mode …) left out.
 */
export function runsTable(sweepDir: string, params: readonly string[], rows: readonly IndexRow[]): string {
  const columns: Column[] = [
    {
      header: 'run',
      numeric: false,
      cell: (r) => {
        const href = reportLink(sweepDir, r);
        return href ? `<a href="${escapeHtml(href)}">${escapeHtml(r.run_id)}</a>` : escapeHtml(r.run_id);
      },
      text: (r) => r.run_id,
    },
    { header: 'status', numeric: false, cell: (r) => escapeHtml(r.status), text: (r) => r.status },
    ...params.map((p): Column => ({ header: p, numeric: false, cell: (r) => escapeHtml(showParam(r.params[p])), text: (r) => showParam(r.params[p]) })),
    ...METRICS.map((m): Column => ({
      header: m.short,
      title: `${m.title}; column ${m.key} of sweep.duckdb's runs table`,
      numeric: true,
      cell: (r) => escapeHtml(fmtMetric(m, r.metrics?.[m.key])),
      text: (r) => fmtMetric(m, r.metrics?.[m.key]),
    })),
    { header: 'error', numeric: false, cell: (r) => escapeHtml(r.error ?? ''), text: (r) => r.error ?? '' },
  ];
  const shown = columns.filter((c) => rows.some((r) => c.text(r) !== ''));
  // A long parameter path may wrap after each dot (models.stat.post_prob).
  const th = (c: Column): string => `<th${c.numeric ? ' class="num"' : ''}${c.title ? ` title="${escapeHtml(c.title)}"` : ''}>${escapeHtml(c.header).replace(/\./g, '.<wbr>')}</th>`;
  const td = (c: Column, r: IndexRow): string => `<td${c.numeric ? ' class="num"' : ''}>${c.cell(r)}</td>`;
  const body = rows.map((r) => `<tr>${shown.map((c) => td(c, r)).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table class="runs">\n<thead><tr>${shown.map(th).join('')}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}
