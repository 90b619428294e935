import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { BIGINT, INTEGER, VARCHAR } from '../common/duckdb-api.js';
import type { StepBatch } from './batch.js';
import { appendColumns, appendPairs, big, deletePairs, markPosts } from './chunks.js';
import { writeSocialBatch } from './commit-social.js';

/**
 * The moderation and curation part of a step's batch: dislikes, bookmarks, mutes (net
 * changes), reports, pins, post marks (deleted / flagged / hidden), impressions of reads, and
 * messages, groups and lists (commit-social.ts). Runs
 * after the posts of the step were appended, so a post created and deleted in one step is
 * marked too.
 */
export async function writePlatformBatch(conn: DuckDBConnection, batch: StepBatch): Promise<void> {
  const { step } = batch;
  await deletePairs(conn, 'dislikes', ['user_id', 'post_id'], batch.dislikes.removed);
  await deletePairs(conn, 'bookmarks', ['user_id', 'post_id'], batch.bookmarks.removed);
  await deletePairs(conn, 'mutes', ['user_id', 'muted_id'], batch.mutes.removed);
  await appendPairs(conn, 'dislikes', batch.dislikes.added, step, true);
  await appendPairs(conn, 'bookmarks', batch.bookmarks.added, step, true);
  await appendPairs(conn, 'mutes', batch.mutes.added, step, false);
  const r = batch.reports;
  await appendColumns(conn, 'reports', [INTEGER, BIGINT, VARCHAR, INTEGER], [r.map((x) => x.userId), r.map((x) => big(x.postId)), r.map((x) => x.reason), r.map(() => step)]);
  if (batch.pins.size > 0) {
    const users = [...batch.pins.keys()].sort((a, b) => a - b);
    await conn.run(`DELETE FROM pins WHERE user_id IN (${users.join(',')})`);
    const kept = users.filter((u) => batch.pins.get(u) !== null);
    await appendColumns(conn, 'pins', [INTEGER, BIGINT, INTEGER], [kept, kept.map((u) => big(batch.pins.get(u) ?? null)), kept.map((): DuckDBValue => step)]);
  }
  await markPosts(conn, 'deleted_step', batch.deleted, step);
  await markPosts(conn, 'flagged_step', batch.flagged, step);
  await markPosts(conn, 'hidden_step', batch.hidden, step);
  // Posts read through search, trends, timelines and lists: after the feed's rows (list-writes.ts),
  // which stay as they were.
  const reads = batch.reads.flatMap((r) => r.postIds.map((postId, rank) => [r.agentId, postId, rank, r.source] as const));
  await appendColumns(
    conn,
    'impressions',
    [INTEGER, INTEGER, BIGINT, INTEGER, VARCHAR, BIGINT],
    [reads.map((): DuckDBValue => step), reads.map((x) => x[0]), reads.map((x) => big(x[1])), reads.map((x) => x[2]), reads.map((x) => x[3]), reads.map((): DuckDBValue => null)],
  );
  await writeSocialBatch(conn, batch);
}
