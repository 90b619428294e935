import type { DuckDBConnection } from '@duckdb/node-api';
import type { StepBatch } from './batch.js';

/** Writes a step's relabelled posts and its interventions log (a handful of rows, so plain statements). */
export async function writeInterventions(conn: DuckDBConnection, batch: StepBatch): Promise<void> {
  for (const [postId, label] of batch.relabelled) {
    await conn.run('UPDATE posts SET label = $1 WHERE post_id = $2', [label, postId]);
  }
  for (const r of batch.interventions) {
    await conn.run('INSERT INTO interventions VALUES ($1, $2, $3, $4, $5, $6)', [batch.step, r.action, r.target, r.detail, r.ok, r.error]);
  }
}
