/**
 * Writes a run's analyses to `analysis.duckdb` beside its `sim.duckdb`. The run's own record is
 * opened read-only and never changes; the analyses go to a temporary file renamed over the old
 * one at the end, so an interrupted `analyze` leaves the previous results whole, and running it
 * again replaces them. Besides each analysis's tables the file holds `analyses` (what was
 * computed: name, tables, rows, seconds) and `meta` (the socialsim version that wrote it).
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { openDuckDbFile } from '../common/duckdb-file.js';
import { ownVersion } from '../common/packages.js';
import type { Cell } from './open.js';
import { withSimDb } from './open.js';
import { runAnalysisSettings } from './settings.js';
import { ANALYSES, ANALYSIS_NAMES, type AnalysisTable, type ColumnType } from './suite.js';

export const ANALYSIS_DB = 'analysis.duckdb';

export interface AnalysisRecord {
  name: string;
  tables: string[];
  rows: number;
  seconds: number;
}

/** Names not in the suite, for a clear refusal before anything is computed. */
export function unknownAnalyses(names: readonly string[]): string[] {
  return names.filter((n) => !ANALYSIS_NAMES.includes(n));
}

function appendCell(appender: DuckDBAppender, type: ColumnType, v: Cell | undefined): void {
  if (v === null || v === undefined) return appender.appendNull();
  switch (type) {
    case 'VARCHAR':
      return appender.appendVarchar(String(v));
    case 'DOUBLE':
      return appender.appendDouble(Number(v));
    case 'INTEGER':
      return appender.appendInteger(Number(v));
    case 'BOOLEAN':
      return appender.appendBoolean(Boolean(v));
  }
}

async function writeTable(conn: DuckDBConnection, table: AnalysisTable): Promise<void> {
  const cols = Object.entries(table.columns);
  await conn.run(`CREATE TABLE ${table.name} (${cols.map(([c, t]) => `"${c}" ${t}`).join(', ')})`);
  if (table.rows.length === 0) return;
  const appender = await conn.createAppender(table.name);
  for (const row of table.rows) {
    for (const [c, t] of cols) appendCell(appender, t, row[c]);
    appender.endRow();
  }
  appender.closeSync();
}

/**
 * Computes `names` (default: every analysis) over the run in `runDir` and writes them to its
 * analysis.duckdb, replacing what was there. Returns what was computed.
 */
export async function analyzeRun(runDir: string, names: readonly string[] = ANALYSIS_NAMES): Promise<AnalysisRecord[]> {
  const chosen = ANALYSES.filter((a) => names.includes(a.name));
  const settings = runAnalysisSettings(runDir);
  const results = await withSimDb(join(runDir, 'sim.duckdb'), async (db) => {
    const out: { record: AnalysisRecord; tables: AnalysisTable[] }[] = [];
    for (const analysis of chosen) {
      const started = performance.now();
      const tables = await analysis.compute(db, settings);
      const seconds = (performance.now() - started) / 1000;
      out.push({ record: { name: analysis.name, tables: tables.map((t) => t.name), rows: tables.reduce((n, t) => n + t.rows.length, 0), seconds }, tables });
    }
    return out;
  });
  const final = join(runDir, ANALYSIS_DB);
  const tmp = `${final}.tmp`;
  for (const f of [tmp, `${tmp}.wal`]) rmSync(f, { force: true });
  const file = await openDuckDbFile(tmp);
  const conn = file.connection;
  try {
    for (const { tables } of results) for (const t of tables) await writeTable(conn, t);
    await writeTable(conn, {
      name: 'analyses',
      columns: { name: 'VARCHAR', tables: 'VARCHAR', rows: 'INTEGER', seconds: 'DOUBLE' },
      rows: results.map(({ record }) => ({ ...record, tables: record.tables.join(',') })),
    });
    await writeTable(conn, { name: 'meta', columns: { key: 'VARCHAR', value: 'VARCHAR' }, rows: [{ key: 'socialsim_version', value: ownVersion() }] });
    await conn.run('CHECKPOINT');
  } finally {
    await file.close();
  }
  rmSync(`${final}.wal`, { force: true });
  renameSync(tmp, final);
  if (existsSync(`${tmp}.wal`)) rmSync(`${tmp}.wal`);
  return results.map((r) => r.record);
}
