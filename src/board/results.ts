/**
 * What the board may open: run folders under its results folder, addressed by their path
 * relative to it (`quickstart/ace776b55f58`). Anything else — an absolute path, `..`, a link
 * leading out, a folder without run.json — is a 404 that names nothing outside.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { openSimDb, type SimDb } from '../analysis/open.js';
import { liveWriter } from '../engine/run-lock.js';
import { BoardError } from './http.js';

/** The absolute folder of run `rel` under `resultsDir`, checked to stay inside it. */
export function resolveRunDir(resultsDir: string, rel: string): string {
  const parts = rel.split('/');
  if (rel.length > 1000 || isAbsolute(rel) || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) {
    throw new BoardError(404, `no run "${rel.slice(0, 200)}" in this results folder`);
  }
  const dir = join(resultsDir, ...parts);
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    throw new BoardError(404, `no run "${rel}" in this results folder`);
  }
  const inside = relative(realpathSync(resultsDir), real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || !existsSync(join(real, 'run.json'))) {
    throw new BoardError(404, `no run "${rel}" in this results folder`);
  }
  return real;
}

/** `dir`'s path relative to the results folder, with forward slashes (the board's run address). */
export function runAddress(resultsDir: string, dir: string): string {
  return relative(resultsDir, dir).split(sep).join('/');
}

interface Open {
  db: SimDb;
  mtimeMs: number;
  timer: NodeJS.Timeout;
  /** The last piece of work queued on this handle: one statement at a time on its connection. */
  queue: Promise<unknown>;
}

/**
 * Read-only handles on finished runs' databases, kept open between requests of a replay (opening
 * costs tens of ms) but closed after `idleMs` without use: an open handle, even read-only, stops
 * `socialsim resume` or `analyze` from taking the file.
 */
export class RunDatabases {
  private readonly open = new Map<string, Open>();
  private readonly pending = new Map<string, Promise<SimDb>>();

  constructor(private readonly idleMs = 5_000) {}

  /**
   * Runs `work` on the database of the run in `dir`, after any work already queued on it (the
   * handle has one connection); a 409 while a process still writes the run.
   */
  async use<T>(dir: string, work: (db: SimDb) => Promise<T>): Promise<T> {
    const db = await this.get(dir);
    const entry = this.open.get(dir);
    if (!entry || entry.db !== db) return work(db);
    const run = entry.queue.then(() => work(db));
    entry.queue = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      entry.timer.refresh();
    }
  }

  private async get(dir: string): Promise<SimDb> {
    const file = join(dir, 'sim.duckdb');
    const writer = liveWriter(dir);
    if (writer !== null) {
      this.drop(dir);
      throw new BoardError(409, `this run is being written by process ${writer}: its database opens when the run stops (live figures are on the run's page)`);
    }
    if (!existsSync(file)) throw new BoardError(404, 'this run has no sim.duckdb yet');
    const mtimeMs = statSync(file).mtimeMs;
    const had = this.open.get(dir);
    if (had && had.mtimeMs === mtimeMs) {
      had.timer.refresh();
      return had.db;
    }
    if (had) this.drop(dir);
    const waiting = this.pending.get(dir);
    if (waiting) return waiting;
    const opening = openSimDb(file).then(
      (db) => {
        this.pending.delete(dir);
        const timer = setTimeout(() => this.drop(dir), this.idleMs);
        timer.unref();
        this.open.set(dir, { db, mtimeMs, timer, queue: Promise.resolve() });
        return db;
      },
      (err: unknown) => {
        this.pending.delete(dir);
        throw err;
      },
    );
    this.pending.set(dir, opening);
    return opening;
  }

  private drop(dir: string): void {
    const had = this.open.get(dir);
    if (!had) return;
    clearTimeout(had.timer);
    this.open.delete(dir);
    // Close once the work queued on it is done.
    void had.queue.then(() => had.db.close());
  }

  closeAll(): void {
    for (const dir of [...this.open.keys()]) this.drop(dir);
  }
}
