import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { RawIssue } from './messages.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Makes every `models.<name>.prompts.{system,user}` path absolute, relative to the experiment
 * file's folder, and reports templates that do not exist. Absolute paths keep the run folder's
 * experiment.resolved.yaml pointing at the same files wherever it is re-run from.
 */
export function resolvePromptPaths(data: Rec, baseDir: string): RawIssue[] {
  const out: RawIssue[] = [];
  for (const [name, model] of isRec(data.models) ? Object.entries(data.models) : []) {
    if (!isRec(model) || !isRec(model.prompts)) continue;
    for (const key of ['system', 'user'] as const) {
      const given = model.prompts[key];
      if (typeof given !== 'string' || given === '') continue;
      const path = isAbsolute(given) ? given : resolve(baseDir, given);
      if (!existsSync(path) || !statSync(path).isFile()) {
        out.push({ segments: ['models', name, 'prompts', key], kind: 'value', message: `prompt template not found: ${path}` });
        continue;
      }
      model.prompts[key] = path;
    }
  }
  return out;
}

/**
 * Makes every `dataset.<table>.path` absolute, relative to the experiment file's folder (so
 * a run folder's experiment.resolved.yaml reads the same files wherever it is re-run from),
 * and reports files that do not exist.
 */
export function resolveDatasetPaths(data: Rec, baseDir: string): RawIssue[] {
  const out: RawIssue[] = [];
  const dataset = isRec(data.dataset) ? data.dataset : {};
  for (const table of ['users', 'follows', 'posts', 'cascades'] as const) {
    const t = dataset[table];
    if (!isRec(t) || typeof t.path !== 'string' || t.path === '') continue;
    const path = isAbsolute(t.path) ? t.path : resolve(baseDir, t.path);
    if (!existsSync(path) || !statSync(path).isFile()) {
      out.push({ segments: ['dataset', table, 'path'], kind: 'value', message: `file not found: ${path}` });
      continue;
    }
    t.path = path;
  }
  return out;
}
