import { checkInputFile, type PathPolicy } from './file-paths.js';
import type { RawIssue } from './messages.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Makes every `models.<name>.prompts.{system,user}` path absolute, relative to the experiment
 * file's folder, and reports templates that do not exist or lie outside the data root (file-paths.ts). Absolute paths keep the run folder's
 * experiment.resolved.yaml pointing at the same files wherever it is re-run from.
 */
export function resolvePromptPaths(data: Rec, policy: PathPolicy): RawIssue[] {
  const out: RawIssue[] = [];
  for (const [name, model] of isRec(data.models) ? Object.entries(data.models) : []) {
    if (!isRec(model) || !isRec(model.prompts)) continue;
    for (const key of ['system', 'user'] as const) {
      const given = model.prompts[key];
      if (typeof given !== 'string' || given === '') continue;
      const r = checkInputFile(given, policy, 'prompt template', ['models', name, 'prompts', key]);
      if ('error' in r) {
        out.push({ segments: ['models', name, 'prompts', key], kind: 'value', message: r.error });
        continue;
      }
      model.prompts[key] = r.path;
    }
  }
  return out;
}

/**
 * Makes every `dataset.<table>.path` absolute, relative to the experiment file's folder (so
 * a run folder's experiment.resolved.yaml reads the same files wherever it is re-run from),
 * and reports files that do not exist, are not regular files or lie outside the data root.
 */
export function resolveDatasetPaths(data: Rec, policy: PathPolicy): RawIssue[] {
  const out: RawIssue[] = [];
  const dataset = isRec(data.dataset) ? data.dataset : {};
  for (const table of ['users', 'follows', 'posts', 'cascades'] as const) {
    const t = dataset[table];
    if (!isRec(t) || typeof t.path !== 'string' || t.path === '') continue;
    const r = checkInputFile(t.path, policy, 'file', ['dataset', table, 'path']);
    if ('error' in r) {
      out.push({ segments: ['dataset', table, 'path'], kind: 'value', message: r.error });
      continue;
    }
    t.path = r.path;
  }
  return out;
}
