import { BIGINT, BOOLEAN, DOUBLE, INTEGER, TIMESTAMP, VARCHAR, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { LlmCallRow, StepBatch } from './batch.js';
import { appendChunks, appendColumns, appendPairs, appendRankedLists, big, deletePairs, simTimestamp } from './chunks.js';
import type { EdgeList } from '../common/edge-list.js';
import { writePlatformBatch } from './commit-platform.js';

export { simTimestamp };

/** Import-time follows: appended as given, no net-change bookkeeping. */
export async function appendFollows(conn: DuckDBConnection, edges: EdgeList, step: number): Promise<void> {
  await appendChunks(conn, 'follows', [INTEGER, INTEGER, INTEGER], edges.length, (start, end) => [
    Array.from(edges.fromColumn(start, end)),
    Array.from(edges.toColumn(start, end)),
    new Array<DuckDBValue>(end - start).fill(step),
  ]);
}

/**
 * Writes a step's batch: data chunks for new rows, chunked deletes for removed pairs. The
 * caller owns the transaction, so a crash leaves the step either fully written or absent.
 */
export async function writeBatch(conn: DuckDBConnection, batch: StepBatch, firstSeq: number): Promise<void> {
  const { step } = batch;
  const time = simTimestamp(batch.simTimeMs);
  const u = batch.users;
  await appendColumns(
    conn,
    'users',
    [INTEGER, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, INTEGER],
    [u.map((r) => r.userId), u.map((r) => r.username), u.map((r) => r.name), u.map((r) => r.bio), u.map((r) => r.cohort), u.map((r) => r.model), u.map((r) => r.kind), u.map((r) => r.persona), u.map(() => step)],
  );
  const p = batch.posts;
  await appendColumns(
    conn,
    'posts',
    [BIGINT, INTEGER, VARCHAR, VARCHAR, BIGINT, INTEGER, TIMESTAMP, VARCHAR, BIGINT, INTEGER, INTEGER, INTEGER, BIGINT, VARCHAR],
    [
      p.map((r) => big(r.postId)),
      p.map((r) => r.authorId),
      p.map((r) => r.text),
      p.map((r) => r.kind),
      p.map((r) => big(r.parentId)),
      p.map(() => step),
      p.map(() => time),
      p.map((r) => r.label),
      p.map((r) => big(r.rootId)),
      p.map((): DuckDBValue => null),
      p.map((): DuckDBValue => null),
      p.map((): DuckDBValue => null),
      p.map((r) => big(r.via?.viaPostId ?? null)),
      p.map((r) => r.via?.source ?? null),
    ],
  );
  const r = batch.reposts;
  await appendColumns(conn, 'reposts', [INTEGER, BIGINT, BIGINT, INTEGER], [r.map((x) => x.userId), r.map((x) => big(x.postId)), r.map((x) => big(x.repostId)), r.map(() => step)]);
  await deletePairs(conn, 'likes', ['user_id', 'post_id'], batch.likes.removed);
  await deletePairs(conn, 'follows', ['follower_id', 'followee_id'], batch.follows.removed);
  await appendPairs(conn, 'likes', batch.likes.added, step, true);
  await appendPairs(conn, 'follows', batch.follows.added, step, false);
  await writePlatformBatch(conn, batch);
  // Feeds go through appendRankedLists: popularity hands most users one shared array.
  if (batch.feeds) {
    const started = performance.now();
    await appendRankedLists(conn, batch.feeds, step, 'INSERT INTO rec SELECT $1, u.user_id, p.post_id, p.rank');
    batch.listWriteMs += performance.now() - started;
  }
  const c = batch.llmCalls;
  await appendColumns(
    conn,
    'llm_calls',
    [INTEGER, INTEGER, VARCHAR, VARCHAR, VARCHAR, DOUBLE, INTEGER, INTEGER, INTEGER, VARCHAR, VARCHAR, VARCHAR],
    [c.map(() => step), c.map((x) => x.agentId), c.map((x) => x.cohort), c.map((x) => x.model), c.map((x) => x.endpoint), c.map((x) => x.latencyMs), c.map((x) => x.promptTokens), c.map((x) => x.completionTokens), c.map((x) => x.attempts), c.map((x) => x.outcome), c.map((x) => x.error), c.map((x) => x.requestKey ?? null)],
  );
  // One row per distinct answered request of the step (a replay only needs one answer per key).
  const answered = new Map<string, LlmCallRow>();
  for (const x of c) if (x.response !== undefined && x.requestKey !== undefined && !answered.has(x.requestKey)) answered.set(x.requestKey, x);
  const resp = [...answered.values()];
  await appendColumns(conn, 'llm_responses', [VARCHAR, VARCHAR, VARCHAR], [resp.map((x) => x.requestKey!), resp.map((x) => x.model), resp.map((x) => x.response!)]);
  // And what each distinct request of the step sent, answered or not.
  const asked = new Map<string, LlmCallRow>();
  for (const x of c) if (x.messages !== undefined && x.requestKey !== undefined && !asked.has(x.requestKey)) asked.set(x.requestKey, x);
  const sent = [...asked.values()];
  await appendColumns(conn, 'llm_prompts', [VARCHAR, VARCHAR, VARCHAR], [sent.map((x) => x.requestKey!), sent.map((x) => x.model), sent.map((x) => x.messages!)]);
  const a = batch.surveyAnswers;
  await appendColumns(
    conn,
    'survey_answers',
    [VARCHAR, INTEGER, INTEGER, VARCHAR, VARCHAR, INTEGER, VARCHAR, VARCHAR],
    [a.map((x) => x.survey), a.map(() => step), a.map((x) => x.agentId), a.map((x) => x.cohort), a.map((x) => x.question), a.map((x) => x.answer), a.map((x) => x.raw), a.map((x) => x.error)],
  );
  const t = batch.trace;
  await appendColumns(
    conn,
    'trace',
    [INTEGER, INTEGER, TIMESTAMP, INTEGER, VARCHAR, VARCHAR, BOOLEAN, VARCHAR, VARCHAR],
    [t.map(() => step), t.map((_, i) => firstSeq + i), t.map(() => time), t.map((x) => x.agentId), t.map((x) => x.action), t.map((x) => x.args), t.map((x) => x.ok), t.map((x) => x.result), t.map((x) => x.error)],
  );
}
