/**
 * An analysis's result for one state of a run's database, kept for the life of the process:
 * at the end of a run the report and then analysis.duckdb are computed by the same functions
 * over the same file, and would otherwise do the work twice. The key holds the database file's
 * size and modification time (and its write-ahead log's), so a changed file is computed afresh.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SimDb } from './open.js';

/** Results kept at most; the oldest goes first. */
const KEPT = 32;
const cache = new Map<string, Promise<unknown>>();

function fileState(path: string): string {
  const parts = [path, `${path}.wal`].filter((p) => existsSync(p)).map((p) => {
    const s = statSync(p);
    return `${s.size}:${s.mtimeMs}`;
  });
  return `${resolve(path)}|${parts.join('|')}`;
}

/** `compute()`, or the result it gave for the same database state, analysis and arguments. */
export function memoized<T>(db: SimDb, analysis: string, args: readonly unknown[], compute: () => Promise<T>): Promise<T> {
  const key = `${fileState(db.path)}|${analysis}|${JSON.stringify(args)}`;
  const hit = cache.get(key);
  if (hit) return hit as Promise<T>;
  const result = compute();
  cache.set(key, result);
  result.catch(() => cache.delete(key));
  while (cache.size > KEPT) cache.delete(cache.keys().next().value!);
  return result;
}
