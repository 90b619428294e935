import { BIGINT, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { ShownFeed, StepBatch } from './batch.js';
import { appendColumns, appendDoubleColumns, appendPairs, appendRankedLists, big, deletePairs, markPosts } from './chunks.js';
import { writeSocialBatch } from './commit-social.js';

/**
 * The moderation and curation part of a step's batch: dislikes, bookmarks, mutes (net
 * changes), reports, pins, post marks (deleted / flagged / hidden), impressions, and
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
  if (batch.impressions && batch.impressions.size > 0) {
    const started = performance.now();
    await writeFeedImpressions(conn, batch.impressions, step);
    batch.listWriteMs += performance.now() - started;
  }
  // Posts read through search, trends, timelines and lists: after the feed's rows, which stay as they were.
  const reads = batch.reads.flatMap((r) => r.postIds.map((postId, rank) => [r.agentId, postId, rank, r.source] as const));
  await appendColumns(
    conn,
    'impressions',
    [INTEGER, INTEGER, BIGINT, INTEGER, VARCHAR, BIGINT],
    [reads.map((): DuckDBValue => step), reads.map((x) => x[0]), reads.map((x) => big(x[1])), reads.map((x) => x[2]), reads.map((x) => x[3]), reads.map((): DuckDBValue => null)],
  );
  await writeSocialBatch(conn, batch);
}

/**
 * The feed part of `impressions`. Feeds that came whole from the recommender are often one
 * array shared by many agents (popularity): those go through the shared-list join; feeds mixed
 * with the home timeline are per agent and go through a staging table of plain numbers (no
 * BigInt or string per row on the way), expanded to the table's types by one INSERT … SELECT.
 */
async function writeFeedImpressions(conn: DuckDBConnection, feeds: ReadonlyMap<number, ShownFeed>, step: number): Promise<void> {
  const shared = new Map<number, readonly number[]>();
  let rows = 0;
  let longest = 0;
  for (const [agent, feed] of feeds) {
    if (feed.sources === null && feed.via === null) shared.set(agent, feed.ids);
    else {
      rows += feed.ids.length;
      longest = Math.max(longest, feed.ids.length);
    }
  }
  if (shared.size > 0) await appendRankedLists(conn, shared, step, `INSERT INTO impressions SELECT $1, u.user_id, p.post_id, p.rank, 'recsys', NULL`);
  if (rows === 0) return;
  // Three typed columns and no NULLs: the agent and rank packed in one number, and
  // in another the via post (≥ 0), −1 for a home entry without one, −2 for a recommender entry.
  // A NULL makes @duckdb/node-api keep a validity mask it updates with BigInt operations per
  // value; millions of rows at a large step each cost less this way.
  // A power of two above every rank: agent × RANKS + rank is an exact double (below 2^53) for agent ids
  // under 2^31 and feeds under 4 M posts.
  const RANKS = 2 ** Math.max(10, Math.ceil(Math.log2(longest + 1)));
  const keys = new Float64Array(rows);
  const posts = new Float64Array(rows);
  const origins = new Float64Array(rows);
  let at = 0;
  for (const [agent, feed] of feeds) {
    // Read once per feed, not per row: the feeds are objects of several shapes (observed feeds,
    // their trimmed copies), and a property read per row cost about a second a million rows.
    const { ids, sources, via } = feed;
    if (sources === null && via === null) continue;
    const base = agent * RANKS;
    for (let rank = 0; rank < ids.length; rank++, at++) {
      keys[at] = base + rank;
      posts[at] = ids[rank]!;
      origins[at] = sources?.[rank] === 'home' ? (via?.[rank] ?? -1) : -2;
    }
  }
  await conn.run('CREATE TEMP TABLE IF NOT EXISTS feed_impressions_packed (k DOUBLE, post_id DOUBLE, origin DOUBLE)');
  await appendDoubleColumns(conn, 'feed_impressions_packed', [keys, posts, origins]);
  await conn.run(
    `INSERT INTO impressions
     SELECT $1, (k // ${RANKS})::INTEGER, post_id::BIGINT, (k % ${RANKS})::INTEGER,
            CASE WHEN origin = -2 THEN 'recsys' ELSE 'home' END, CASE WHEN origin >= 0 THEN origin::BIGINT END
     FROM feed_impressions_packed`,
    [step],
  );
  await conn.run('DELETE FROM feed_impressions_packed');
}
