import type { DuckDBConnection } from '@duckdb/node-api';
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, TIMESTAMP, VARCHAR } from '../common/duckdb-api.js';
import { appendColumns, simTimestamp } from './chunks.js';

/** The experiment's real data as loaded (user ids already the platform's where they apply). */
export interface ReferenceData {
  readonly posts: readonly { readonly authorId: number; readonly kind: string; readonly createdAtMs: number | null }[];
  readonly follows: readonly (readonly [number, number])[];
  readonly cascades: readonly { readonly cascadeId: string; readonly nodeId: string; readonly parentId: string | null; readonly delaySeconds: number; readonly sourcePost: string | null }[];
}

export async function writeReference(conn: DuckDBConnection, r: ReferenceData): Promise<void> {
  await appendColumns(conn, 'real_posts', [INTEGER, VARCHAR, TIMESTAMP], [r.posts.map((p) => p.authorId), r.posts.map((p) => p.kind), r.posts.map((p) => (p.createdAtMs === null ? null : simTimestamp(p.createdAtMs)))]);
  await appendColumns(conn, 'real_follows', [INTEGER, INTEGER], [r.follows.map((f) => f[0]), r.follows.map((f) => f[1])]);
  const c = r.cascades;
  await appendColumns(
    conn,
    'real_cascades',
    [VARCHAR, VARCHAR, VARCHAR, DOUBLE, VARCHAR],
    [c.map((n) => n.cascadeId), c.map((n) => n.nodeId), c.map((n) => n.parentId), c.map((n) => n.delaySeconds), c.map((n) => n.sourcePost)],
  );
}

/** An opening post imported from dataset.posts: the platform's id, the file's, and its track flag. */
export interface DatasetPostRow {
  readonly postId: number;
  readonly datasetId: string;
  readonly track: boolean;
  /** Epoch ms of the post in the dataset, when the file gives it. */
  readonly realTimeMs: number | null;
}

export async function writeDatasetPosts(conn: DuckDBConnection, rows: readonly DatasetPostRow[]): Promise<void> {
  await appendColumns(
    conn,
    'dataset_posts',
    [BIGINT, VARCHAR, BOOLEAN, TIMESTAMP],
    [rows.map((r) => BigInt(r.postId)), rows.map((r) => r.datasetId), rows.map((r) => r.track), rows.map((r) => (r.realTimeMs === null ? null : simTimestamp(r.realTimeMs)))],
  );
}
