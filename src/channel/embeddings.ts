/**
 * Text embeddings the recommender asked for (recsys.embedding_model), kept in the run's
 * `embeddings` table by model and text hash: a resumed run reads them back instead of asking
 * the endpoint again, and `--replay` answers from the parent run's. Identical texts (common
 * among templated posts) share one row.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BLOB, blobValue, VARCHAR } from '../common/duckdb-api.js';
import { appendColumns } from './chunks.js';

export interface EmbeddingRow {
  /** The experiment's model key. */
  readonly model: string;
  readonly textHash: string;
  readonly vector: Float32Array;
}

/** The key of a text's embedding under a model: sha256 of both, hex. */
export function textHash(model: string, text: string): string {
  return createHash('sha256').update(model).update('\0').update(text).digest('hex');
}

export async function writeEmbeddings(conn: DuckDBConnection, rows: readonly EmbeddingRow[]): Promise<void> {
  // Float32 little-endian bytes: a quarter of the size of a DOUBLE[] and read back as-is.
  await appendColumns(conn, 'embeddings', [VARCHAR, VARCHAR, BLOB], [
    rows.map((r) => r.model),
    rows.map((r) => r.textHash),
    rows.map((r) => blobValue(new Uint8Array(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength))),
  ]);
}

/** Runs one SQL statement and returns its rows: ChannelDb's and the read-only SimDb's `query`. */
export type RowQuery = (sql: string) => Promise<readonly object[]>;

/** Every stored embedding of `model` in the database `query` reads, by text hash. */
export async function readEmbeddings(query: RowQuery, model: string): Promise<Map<string, Float32Array>> {
  // Base64 crosses the client as one string per row, whatever the client does with BLOBs.
  const rows = (await query(
    `SELECT text_hash AS h, to_base64(vector) AS v FROM embeddings WHERE model = '${model.replaceAll("'", "''")}' ORDER BY text_hash`,
  )) as readonly { h: string; v: string }[];
  const out = new Map<string, Float32Array>();
  for (const { h, v } of rows) {
    const bytes = Buffer.from(v, 'base64');
    // Copy into a fresh buffer: a Buffer's bytes need not be 4-byte aligned.
    out.set(h, new Float32Array(new Uint8Array(bytes).buffer));
  }
  return out;
}
