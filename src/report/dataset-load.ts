/** The overview's lines on the dataset load: rows `on_bad_row: skip` left out, and why. */
import { escapeHtml } from './html.js';
import type { RunInfo } from './run-info.js';

/** `3 (users.csv 2, posts.csv 1)`, `0`, or undefined for a run without a dataset. */
export function datasetSkippedCell(run: RunInfo | null): string | undefined {
  const tables = run?.dataset_load;
  if (!tables || tables.length === 0) return undefined;
  const skipped = tables.filter((t) => t.skipped > 0);
  const total = skipped.reduce((n, t) => n + t.skipped, 0);
  const name = (file: string): string => file.slice(file.lastIndexOf('/') + 1);
  return `${total.toLocaleString('en-US')}${skipped.length > 0 ? ` (${skipped.map((t) => `${name(t.file)} ${t.skipped.toLocaleString('en-US')}`).join(', ')})` : ''}`;
}

/** The first reasons per table that skipped rows, as a list; empty when none did. */
export function datasetSkippedHtml(run: RunInfo | null): string {
  const skipped = (run?.dataset_load ?? []).filter((t) => t.skipped > 0);
  if (skipped.length === 0) return '';
  const items = skipped.map((t) => {
    const first = t.skipped > t.examples.length ? `, the first ${t.examples.length}` : '';
    return `<li>${escapeHtml(`${t.file}: ${t.skipped.toLocaleString('en-US')} bad row${t.skipped === 1 ? '' : 's'} skipped${first}:`)}<ul>${t.examples.map((e) => `<li><code>${escapeHtml(e)}</code></li>`).join('')}</ul></li>`;
  });
  return `<p class="note">Dataset rows left out under <code>on_bad_row: skip</code>:</p><ul class="dataset-skipped">${items.join('')}</ul>`;
}
