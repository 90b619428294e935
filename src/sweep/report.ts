/**
 * sweep-report.html: the herding and recommender tables when the runs have them; for every
 * swept parameter each outcome metric at the end of the runs (end-values.ts); each condition's
 * posts, likes and reposts per step over the run (over-time.ts); the settings and costs of each
 * condition and every run, linked to its report (runs-table.ts). Self-contained like the run
 * report: the page writer and the inlined vega bundles are the run report's.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { htmlTable, type TableCell } from '../report/html.js';
import { loadVegaLibs } from '../report/libs.js';
import { renderPage } from '../report/page.js';
import type { Section } from '../report/types.js';
import { sweepSpecs } from './end-values.js';
import { herdingSweepSection } from './herding.js';
import type { IndexRow } from './index-db.js';
import { overTimeSection } from './over-time.js';
import { cellText, evaluationTable, writeEvaluationTable } from './recsys-table.js';
import { runsTable, settingsTable } from './runs-table.js';

export { meanInterval, t95 } from './stats.js';
export { sweepSpecs } from './end-values.js';

/** Writes `sweep-report.html` into the sweep folder and returns its path. */
export async function writeSweepReport(sweepDir: string, params: readonly string[], rows: readonly IndexRow[], generatedAt = new Date().toISOString()): Promise<string> {
  const completed = rows.filter((r) => r.status === 'completed').length;
  const evaluation = evaluationTable(params, rows);
  // A comparison of feeds without browse mode has no P_view … S_sat: say how to get them.
  const browseHint = params.includes('recsys.kind') && !evaluation ? ' Set browse: to evaluate the recommenders by how agents respond to their feeds (P_view, N_like, P_like, N_exit, S_sat).' : '';
  const sections: Section[] = sweepSpecs(params, rows).map(({ param, spec }) => ({
    id: `by-${param.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`,
    title: `Metrics by ${param}`,
    description:
      'At the end of each run. Each faint point is a completed run; the solid point is the mean over seeds/repeats and the bar its 95 % t-interval, clipped to what the metric can be ' +
      '(counts ≥ 0, shares 0–1). Counts are drawn from 0; shares and means on a scale fitted to their values, so each chart has its own.' +
      browseHint,
    spec,
  }));
  if (evaluation) {
    writeEvaluationTable(sweepDir, evaluation);
    sections.unshift({
      id: 'recsys-evaluation',
      title: 'Recommender evaluation',
      description:
        'How agents responded to each feed in browse mode: mean over seeds [95 % t-interval, clipped to the metric’s range], ★ = best mean of the column. ' +
        evaluation.metrics.map((m) => `${m.title}: ${m.description}`).join('; ') +
        '. Also in recsys-table.md and recsys-table.csv beside this report.',
      html: htmlTable(['recommender', ...evaluation.metrics.map((m) => m.title)], evaluation.rows.map((r): TableCell[] => [r.label, ...r.cells.map(cellText)])),
    });
  }
  const herding = await herdingSweepSection(params, rows);
  if (herding) sections.unshift(herding);
  const overTime = await overTimeSection(params, rows);
  if (overTime) sections.push(overTime);
  sections.push(
    {
      id: 'settings',
      title: 'Settings and costs',
      description: 'Per condition: the runs that completed, their agents and how long they took (wall time, which depends on the machine and what else ran). Not outcomes, so not charted.',
      html: settingsTable(params, rows),
    },
    {
      id: 'runs',
      title: 'Runs',
      description: 'Every run of the sweep, as in sweep.duckdb (table runs; hover a header for its column); columns empty in every run are left out. A run id opens that run’s report.',
      html: runsTable(sweepDir, params, rows),
    },
  );
  const html = renderPage({
    title: `socialsim sweep \u2014 ${sweepDir.split(/[\\/]/).slice(-2).join('/')}`,
    subtitle: `${rows.length} runs (${completed} completed) \u00b7 swept: ${params.join(', ') || 'nothing'}`,
    sections,
    libs: loadVegaLibs(),
    generatedAt,
  });
  const file = join(sweepDir, 'sweep-report.html');
  writeFileSync(`${file}.tmp-${process.pid}`, html);
  renameSync(`${file}.tmp-${process.pid}`, file);
  return file;
}
