/**
 * DuckDB database files of small work (a run under SMALL_RUN_AGENTS, a test, a short read),
 * opened as attachments of one in-memory DuckDB instance that lives as long as the process,
 * instead of an instance each.
 *
 * Why: creating an instance costs about 20 ms of CPU, and destroying one costs more. On its way
 * out DuckDB purges its allocator and calls malloc_trim, which hands every free page of the
 * process (Node's and V8's included) back to the kernel; the next allocations fault them in again,
 * and each madvise flushes every core's TLB. Opening and closing a channel this way took 30–37 ms
 * of CPU instead of 78–91 (sys 5 instead of 30), and the test suite opens hundreds.
 *
 * A file attached here is detached on close, which checkpoints it as closing an instance does.
 * A path attached twice in the process (a reader while its writer is open) shares the one
 * attachment: DuckDB refuses to attach a file twice, and each user has its own connection.
 */
import { resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from './duckdb-api.js';

/** An open DuckDB file: its connection (whose default database is the file) and how to close it. */
export interface DuckDbFile {
  readonly connection: DuckDBConnection;
  /** Closes the connection; the last user of an attached file detaches (checkpoints) it. */
  close(): Promise<void>;
}

export interface DuckDbFileOptions {
  readonly readOnly?: boolean;
  /**
   * Settings of an instance of its own (DuckDB's defaults otherwise, a thread per core): for
   * work large enough to use several threads. Without them the file is attached to the
   * process's shared instance, one thread (each connection's queries run on the caller's).
   */
  readonly ownInstance?: Readonly<Record<string, string>>;
}

/**
 * WAL that DuckDB lets grow before folding it into the file (its default is 16 MB): a channel's
 * steps each commit to the WAL, and the fold then happens once, at close, for most runs.
 */
export const CHECKPOINT_THRESHOLD = '256MB';

/** Settings of the shared instance. */
const SHARED_CONFIG = { threads: '1', checkpoint_threshold: CHECKPOINT_THRESHOLD };

let shared: Promise<DuckDBInstance> | undefined;
let nextAlias = 0;

interface Attachment {
  readonly alias: string;
  readonly readOnly: boolean;
  users: number;
}

/** Attached files by absolute path; `pending` orders the opens and closes of one path. */
const attachments = new Map<string, Attachment>();
const pending = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier open or close of `path` has settled. */
function serialized<T>(path: string, work: () => Promise<T>): Promise<T> {
  const before = pending.get(path) ?? Promise.resolve();
  const next = before.then(work, work);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  pending.set(path, settled);
  void settled.then(() => {
    if (pending.get(path) === settled) pending.delete(path);
  });
  return next;
}

const literal = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export async function openDuckDbFile(path: string, opts: DuckDbFileOptions = {}): Promise<DuckDbFile> {
  if (opts.ownInstance) return ownInstance(path, opts);
  const key = resolve(path);
  return serialized(key, async () => {
    const instance = await (shared ??= DuckDBInstance.create(':memory:', SHARED_CONFIG));
    const connection = await instance.connect();
    try {
      let attachment = attachments.get(key);
      if (attachment && attachment.readOnly && !opts.readOnly) {
        throw new Error(`${path} is open read-only in this process; close it before opening it for writing`);
      }
      if (!attachment) {
        const alias = `file${nextAlias++}`;
        await connection.run(`ATTACH ${literal(key)} AS ${alias}${opts.readOnly ? ' (READ_ONLY)' : ''}`);
        attachment = { alias, readOnly: opts.readOnly === true, users: 0 };
        attachments.set(key, attachment);
      }
      await connection.run(`USE ${attachment.alias}`);
      attachment.users++;
    } catch (err) {
      connection.closeSync();
      throw err;
    }
    let closed = false;
    return {
      connection,
      close: () =>
        serialized(key, async () => {
          if (closed) return;
          closed = true;
          const attachment = attachments.get(key)!;
          try {
            if (--attachment.users === 0) {
              attachments.delete(key);
              await connection.run(`USE memory; DETACH ${attachment.alias}`);
            }
          } finally {
            connection.closeSync();
          }
        }),
    };
  });
}

async function ownInstance(path: string, opts: DuckDbFileOptions): Promise<DuckDbFile> {
  const config: Record<string, string> = { ...opts.ownInstance };
  if (opts.readOnly) config.access_mode = 'READ_ONLY';
  const instance = await DuckDBInstance.create(path, config);
  const connection = await instance.connect();
  let closed = false;
  return {
    connection,
    close: async () => {
      if (closed) return;
      closed = true;
      connection.closeSync();
      instance.closeSync();
    },
  };
}
