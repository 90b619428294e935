/**
 * Building and writing a run's `report.html`.
 */
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { crashPoint } from '../common/test-hooks.js';
import { compareCascades, type CascadeComparison } from '../analysis/nrmse.js';
import { withSimDb } from '../analysis/open.js';
import { runAnalysisSettings, type AnalysisSettings } from '../analysis/settings.js';
import { interventionRows } from '../analysis/summary.js';
import { addInterventionRules } from './intervention-rules.js';
import { escapeHtml } from './html.js';
import { loadVegaLibs } from './libs.js';
import { renderPage } from './page.js';
import { REPORT_SECTIONS } from './registry.js';
import { readRunInfo, type RunInfo } from './run-info.js';
import type { ReportContext, ReportSection, Section, TopLevelSpec } from './types.js';

export interface ReportOptions {
  /** Rows in the top-posts table (default 10). */
  topPosts?: number;
  /**
   * Output file, or a directory (one that exists, or a path ending in `/`) to write
   * `<experiment>-<run-id>.html` into, so reports of several runs can share it. Default:
   * `report.html` in the run folder.
   */
  out?: string;
  /** Sections to build instead of the registry (tests, custom reports). */
  sections?: readonly ReportSection[];
  /** Analysis settings instead of the run folder's experiment.resolved.yaml. */
  settings?: AnalysisSettings;
}

export interface BuiltReport {
  runDir: string;
  run: RunInfo | null;
  title: string;
  sections: Section[];
}

export const DEFAULT_TOP_POSTS = 10;

/**
 * Builds every section against `runDir/sim.duckdb` (opened read-only). A section that throws
 * becomes an error box in the page rather than failing the whole report; its `error` is set.
 */
export async function buildReport(runDir: string, opts: ReportOptions = {}): Promise<BuiltReport> {
  const dir = resolve(runDir);
  const run = readRunInfo(dir);
  const defs = opts.sections ?? REPORT_SECTIONS;
  const sections = await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
    const settings = opts.settings ?? runAnalysisSettings(dir);
    let cascades: Promise<CascadeComparison> | undefined;
    const ctx: ReportContext = { runDir: dir, db, run, topPosts: opts.topPosts ?? DEFAULT_TOP_POSTS, settings, cascades: () => (cascades ??= compareCascades(db, settings)) };
    const out: Section[] = [];
    for (const def of defs) {
      try {
        out.push(await def.build(ctx));
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        out.push({ id: def.id, title: def.title, error: msg, html: `<p class="error">${escapeHtml(`This section failed: ${msg}`)}</p>` });
      }
    }
    return addInterventionRules(out, await interventionRows(db));
  });
  const experiment = run?.experiment ?? basename(dirname(dir));
  return { runDir: dir, run, title: `socialsim report \u2014 ${experiment}`, sections };
}

/** The Vega-Lite spec of every chart section, in page order. */
export async function buildSpecs(
  runDir: string,
  opts: ReportOptions = {},
): Promise<{ id: string; title: string; spec: TopLevelSpec }[]> {
  const { sections } = await buildReport(runDir, opts);
  return sections.flatMap((s) => (s.spec ? [{ id: s.id, title: s.title, spec: s.spec }] : []));
}

/** The full HTML page of a built report. */
export function renderReport(report: BuiltReport, generatedAt = new Date().toISOString()): string {
  const r = report.run;
  const bits = [r?.run_id ?? basename(report.runDir)];
  if (r?.status) bits.push(r.status);
  if (r?.steps_completed !== undefined) bits.push(`${r.steps_completed} steps`);
  if (r?.agents !== undefined) bits.push(`${r.agents} agents`);
  return renderPage({
    title: report.title,
    subtitle: bits.join(' \u00b7 '),
    sections: report.sections,
    libs: loadVegaLibs(),
    generatedAt,
  });
}

/** The file name a report takes in a shared folder: `<experiment>-<run-id>.html`. */
export function reportFileName(runDir: string, run: RunInfo | null): string {
  const dir = resolve(runDir);
  const experiment = run?.experiment || basename(dirname(dir));
  const id = run?.run_id || basename(dir);
  return `${experiment}-${id}.html`.replace(/[^\w.-]+/g, '_');
}

function outputPath(runDir: string, out: string | undefined, run: RunInfo | null): string {
  if (out === undefined) return join(resolve(runDir), 'report.html');
  const p = resolve(out);
  const isDir = /[\\/]$/.test(out) || (existsSync(p) && statSync(p).isDirectory());
  return isDir ? join(p, reportFileName(runDir, run)) : p;
}

/** Writes the run's self-contained report (`report.html` in the run folder unless `out`) and returns its path. */
export async function writeReport(runDir: string, opts: ReportOptions = {}): Promise<string> {
  const report = await buildReport(runDir, opts);
  const html = renderReport(report);
  const file = outputPath(runDir, opts.out, report.run);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  crashPoint('during-report');
  renameSync(tmp, file);
  return file;
}
