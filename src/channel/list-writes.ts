/**
 * The recommender's lists of a step: its feeds (`rec`) and what each active agent was shown of
 * its feed (the feed part of `impressions`). They are most of what a large step writes (at a
 * million agents some 20 million `rec` rows and 8 million impressions a step) and are known
 * before the step's actions apply, so they are staged in temp tables first and expanded into
 * their tables by INSERT … SELECTs that DuckDB runs on its own threads: a step opened early
 * (step-transaction.ts) has them run while the main thread applies the actions.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { StepBatch } from './batch.js';
import type { ShownFeeds } from './shown-feeds.js';
import { appendDoubleColumns, sqlInt, stageRankedLists } from './chunks.js';

/** Stages the batch's lists now; the returned function runs their INSERTs (one at a time: one connection). */
export async function stageListWrites(conn: DuckDBConnection, batch: StepBatch): Promise<() => Promise<void>> {
  const started = performance.now();
  const inserts: (() => Promise<void>)[] = [];
  // Popularity hands most users one shared array: the shared-list join writes it once.
  if (batch.feeds) inserts.push(await stageRankedLists(conn, batch.feeds, 'rec', batch.step, (step) => `INSERT INTO rec SELECT ${step}, u.user_id, p.post_id, p.rank`));
  if (batch.impressions && batch.impressions.size > 0) inserts.push(...(await stageFeedImpressions(conn, batch.impressions, batch.step)));
  batch.listWriteMs += performance.now() - started;
  return async () => {
    for (const insert of inserts) await insert();
  };
}

/**
 * The feed part of `impressions`. Feeds that came whole from the recommender are often one
 * array shared by many agents (popularity): those go through the shared-list join; feeds mixed
 * with the home timeline are per agent and go through a staging table of plain numbers (no
 * BigInt or string per row on the way), expanded to the table's types by one INSERT … SELECT.
 */
async function stageFeedImpressions(conn: DuckDBConnection, feeds: ShownFeeds, step: number): Promise<(() => Promise<void>)[]> {
  const inserts: (() => Promise<void>)[] = [];
  const shared = feeds.recommenderLists();
  if (shared.size > 0) inserts.push(await stageRankedLists(conn, shared, 'feed', step, (s) => `INSERT INTO impressions SELECT ${s}, u.user_id, p.post_id, p.rank, 'recsys', NULL`));
  const { rows, longest } = feeds.mixedRows();
  if (rows === 0) return inserts;
  // Three typed columns and no NULLs: the agent and rank packed in one number, and
  // in another the via post (≥ 0), −1 for a home entry without one, −2 for a recommender entry.
  // A NULL makes @duckdb/node-api keep a validity mask it updates with BigInt operations per
  // value; millions of rows at a large step each cost less this way.
  // A power of two above every rank: agent × RANKS + rank is an exact double (below 2^53) for agent ids
  // under 2^31 and feeds under 4 M posts.
  const RANKS = 2 ** Math.max(10, Math.ceil(Math.log2(longest + 1)));
  const [keys, posts, origins] = packedColumns(conn, rows);
  feeds.fillPacked(keys, posts, origins, RANKS);
  await appendDoubleColumns(conn, 'feed_impressions_packed', [keys, posts, origins], rows);
  // Expanded into impressions and the staging table emptied, in one round trip.
  inserts.push(async () => {
    await conn.run(
      `INSERT INTO impressions
       SELECT ${sqlInt(step)}, (k // ${RANKS})::INTEGER, post_id::BIGINT, (k % ${RANKS})::INTEGER,
              CASE WHEN origin = -2 THEN 'recsys' ELSE 'home' END, CASE WHEN origin >= 0 THEN origin::BIGINT END
       FROM feed_impressions_packed;
       DELETE FROM feed_impressions_packed`,
    );
  });
  return inserts;
}

/**
 * The connection's three packed columns, at least `rows` long, kept from step to step: fresh
 * arrays of this size (some 60 MB each at a million agents) cost more in page faults, as the
 * kernel hands out and zeroes their pages, than filling them does.
 */
function packedColumns(conn: DuckDBConnection, rows: number): readonly [Float64Array, Float64Array, Float64Array] {
  let columns = PACKED.get(conn);
  if (!columns || columns[0].length < rows) {
    const size = Math.max(rows, Math.ceil((columns?.[0].length ?? 0) * 1.25));
    columns = [new Float64Array(size), new Float64Array(size), new Float64Array(size)];
    PACKED.set(conn, columns);
  }
  return columns;
}

const PACKED = new WeakMap<DuckDBConnection, readonly [Float64Array, Float64Array, Float64Array]>();
