import { describeLoad, loadSummary, skippedSummary } from '../data/dataset.js';
import type { EventLog } from './events.js';
import type { RunInfo } from './run-folder.js';
import type { Population } from './setup.js';

/**
 * What the dataset load kept and, under `on_bad_row: skip`, left out — so a skip is never silent:
 * recorded once per run (run.json's `dataset_load`, a `dataset_loaded` event) when the run first
 * starts, and printed on stderr then (unless quiet) when rows were skipped. A resumed run loads
 * the same files and does not say it again. Returns whether `info` changed.
 */
export function recordDatasetLoad(population: Population, info: RunInfo, events: EventLog, opts: { readonly quiet?: boolean } = {}): boolean {
  const loaded = population.dataset?.loaded;
  if (!loaded || info.dataset_load !== undefined) return false;
  const tables = loadSummary(loaded);
  info.dataset_load = tables;
  events.write({ type: 'dataset_loaded', tables });
  const skipped = skippedSummary(tables);
  if (skipped && !opts.quiet) {
    process.stderr.write(`warning: dataset: ${skipped} under on_bad_row: skip\n${describeLoad(loaded).map((l) => `  ${l}\n`).join('')}`);
  }
  return true;
}
