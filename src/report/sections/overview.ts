/** Overview: the run's identity and headline figures from run.json, plus platform totals. */
import { runTotals } from '../../analysis/summary.js';
import { datasetSkippedCell, datasetSkippedHtml } from '../dataset-load.js';
import { escapeHtml, formatDuration, htmlTable, type TableCell } from '../html.js';
import type { ReportSection } from '../types.js';

export const overview: ReportSection = {
  id: 'overview',
  title: 'Overview',
  async build(q) {
    const r = q.run;
    const t = await runTotals(q.db);
    const rows: [string, TableCell][] = [
      ['Experiment', r?.experiment],
      ['Run id', r?.run_id],
      ['Status', r?.status],
      ['Error', r?.error],
      ['Seed', r?.seed],
      [
        'Steps completed',
        r?.timesteps !== undefined ? `${r.steps_completed ?? t.steps} of ${r.timesteps}` : (r?.steps_completed ?? t.steps),
      ],
      ['Agents', r?.agents ?? t.agents],
      ['Actions', r?.actions ?? t.actions],
      ['Failed actions', r?.failed_actions ?? t.failed_actions],
      ['Wall time', r?.wall_ms === undefined ? undefined : formatDuration(r.wall_ms)],
      ['Actions per second', r?.actions_per_second === undefined ? undefined : Math.round(r.actions_per_second)],
      ['Started', r?.started_at],
      ['Finished', r?.finished_at],
      ['Simulated time', t.first_sim_time ? `${t.first_sim_time} .. ${t.last_sim_time ?? ''}` : undefined],
      ['Posts / likes / reposts / follows', `${t.posts} / ${t.likes} / ${t.reposts} / ${t.follows}`],
      ['Dataset rows skipped', datasetSkippedCell(r)],
      ['Config hash', r?.config_hash],
      ['Git commit', r?.git_commit],
      [
        'Versions',
        r?.versions && Object.keys(r.versions).length > 0
          ? Object.entries(r.versions)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')
          : undefined,
      ],
    ];
    const shown = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
    const missing = r === null ? `<p class="note">${escapeHtml('run.json not found: figures come from sim.duckdb.')}</p>` : '';
    // Numbers are shown as given (no thousands separators for ids like the seed).
    const html = htmlTable(['', ''], shown.map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]), {
      className: 'kv',
      numeric: [],
    });
    return { id: this.id, title: this.title, html: missing + html + datasetSkippedHtml(r) };
  },
};
