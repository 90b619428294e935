/**
 * The pieces of a run report. A report is a list of sections; each section is one small module
 * exporting a {@link ReportSection}, listed in `registry.ts`.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CascadeComparison } from '../analysis/nrmse.js';
import type { SimDb } from '../analysis/open.js';
import type { AnalysisSettings } from '../analysis/settings.js';
import type { RunInfo } from './run-info.js';

export type { TopLevelSpec };

/** What a section builder can read. */
export interface ReportContext {
  /** The run folder (`results/<experiment>/<run-id>/`). */
  runDir: string;
  /** The run's `sim.duckdb`, opened read-only. */
  db: SimDb;
  /** `run.json`, or null if the folder has none (e.g. a crashed run). */
  run: RunInfo | null;
  /** How many posts the top-posts table lists. */
  topPosts: number;
  /** The run's `analysis:` settings (tracked posts, cascade horizon). */
  settings: AnalysisSettings;
  /** Tracked posts' cascades and their comparison with real ones, computed once per report. */
  cascades(): Promise<CascadeComparison>;
}

/** A built section: a Vega-Lite chart, an HTML fragment (already escaped), or both. */
export interface Section {
  id: string;
  title: string;
  /** One line under the title: what is plotted and how it is counted (plain text). */
  description?: string;
  spec?: TopLevelSpec;
  html?: string;
  /** Set when the section's builder threw; `html` then holds the error box. */
  error?: string;
}

export interface ReportSection {
  /** Stable id, used as the HTML anchor; lowercase letters, digits and dashes. */
  id: string;
  title: string;
  build(q: ReportContext): Promise<Section>;
}

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Default chart size in px; the page CSS lets charts scroll horizontally on narrow screens. */
export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 260;

/**
 * Scale props for a chart whose data may be empty (a run that stopped before step 1): a fixed
 * domain there keeps vega from warning about an infinite extent. Spread into `scale`.
 */
export function emptySafeDomain(values: readonly unknown[], domain: [number, number] = [0, 1]): { domain?: [number, number] } {
  return values.length === 0 ? { domain } : {};
}
