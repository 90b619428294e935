import type { DatasetTableConfig } from '../config/types.js';
import type { SkipReport } from './bad-rows.js';
import { decimal, id, required } from './fields.js';
import { readTable, tableInput, type FieldSpec } from './table.js';

/**
 * One user reached by a real cascade (Twitter15/16 propagation trees): who, from whom, when.
 * Users are the file's own ids: cascades are reference data and need not match dataset.users.
 */
export interface CascadeNode {
  readonly cascade: string;
  readonly user: string;
  /** The user it spread from; undefined for the root (the source post's author). */
  readonly parent?: string;
  /** Seconds after the source post. */
  readonly delay: number;
  /** The source post's id in `dataset.posts` (or a previous tweet's `<user id>#<index>`), when the file says. */
  readonly sourcePost?: string;
}

export interface LoadedCascades extends SkipReport {
  readonly file: string;
  /** In file order. */
  readonly rows: readonly CascadeNode[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'cascade', required: true },
  { name: 'user', required: true },
  { name: 'parent' },
  { name: 'delay', required: true },
  { name: 'source_post' },
];

export async function loadCascades(cfg: DatasetTableConfig, baseDir: string): Promise<LoadedCascades> {
  const input = tableInput(cfg, baseDir);
  const rows: CascadeNode[] = [];
  const lines: number[] = [];
  await readTable(input, FIELDS, (c) => {
    const cascade = required(id(c.get('cascade'), 'cascade'), 'cascade');
    const user = required(id(c.get('user'), 'user'), 'user');
    const delay = required(decimal(c.get('delay'), 'delay', 0), 'delay');
    lines.push(c.line);
    const sourcePost = id(c.get('source_post'), 'source_post');
    rows.push({ cascade, user, parent: id(c.get('parent'), 'parent'), delay, ...(sourcePost !== undefined ? { sourcePost } : {}) });
  });
  const column = (field: string): string => input.columns[field] ?? field;
  const problems = treeProblems(rows);
  [...problems].sort((a, b) => a[0] - b[0]).forEach(([i, [field, reason]]) => input.bad.report(lines[i] as number, column(field), reason, field));
  return { file: input.file, rows: rows.filter((_, i) => !problems.has(i)), ...input.bad.summary() };
}

/**
 * Rows that do not make a tree, by row index → [field, reason]: each cascade needs exactly one
 * root, and every parent must be a user of the same cascade among the rows kept (repeated
 * until nothing changes, since leaving out a row can strand the rows below it).
 */
function treeProblems(rows: readonly CascadeNode[]): Map<number, [string, string]> {
  const problems = new Map<number, [string, string]>();
  const byCascade = new Map<string, number[]>();
  rows.forEach((r, i) => (byCascade.get(r.cascade) ?? byCascade.set(r.cascade, []).get(r.cascade)!).push(i));
  for (const [cascade, members] of byCascade) {
    const roots = members.filter((i) => rows[i]!.parent === undefined);
    if (roots.length === 0) {
      for (const i of members) problems.set(i, ['parent', `cascade "${cascade}" has no root (a row with an empty parent)`]);
      continue;
    }
    for (const i of roots.slice(1)) problems.set(i, ['parent', `cascade "${cascade}" already has a root (user "${rows[roots[0]!]!.user}"); only one row may have an empty parent`]);
    for (let changed = true; changed; ) {
      changed = false;
      const present = new Set(members.filter((i) => !problems.has(i)).map((i) => rows[i]!.user));
      for (const i of members) {
        const parent = rows[i]!.parent;
        if (problems.has(i) || parent === undefined || present.has(parent)) continue;
        problems.set(i, ['parent', `no user "${parent}" in cascade "${cascade}" (among its rows that load)`]);
        changed = true;
      }
    }
  }
  return problems;
}
