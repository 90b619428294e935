import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, TIMESTAMP, VARCHAR } from '../common/duckdb-api.js';
import type { LlmCallRow, StepBatch } from './batch.js';
import { appendChunks, appendColumns, appendPairs, appendRows, big, deletePairs, simTimestamp } from './chunks.js';
import type { EdgeList } from '../common/edge-list.js';
import { writePlatformBatch } from './commit-platform.js';

export { simTimestamp };

/** Import-time follows: appended as given, no net-change bookkeeping. */
export async function appendFollows(conn: DuckDBConnection, edges: EdgeList, step: number): Promise<void> {
  await appendChunks(conn, 'follows', [INTEGER, INTEGER, INTEGER], edges.length, (start, end) => [edges.fromColumn(start, end), edges.toColumn(start, end), new Array<DuckDBValue>(end - start).fill(step)]);
}

/**
 * Writes a step's batch: data chunks for new rows, chunked deletes for removed pairs; the
 * recommender's lists (rec, feed impressions) go separately (list-writes.ts). The caller owns
 * the transaction, so a crash leaves the step either fully written or absent.
 */
export async function writeBatch(conn: DuckDBConnection, batch: StepBatch, firstSeq: number): Promise<void> {
  const { step } = batch;
  const time = simTimestamp(batch.simTimeMs);
  await appendRows(conn, 'users', [INTEGER, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, INTEGER], batch.users, [
    (r) => r.userId,
    (r) => r.username,
    (r) => r.name,
    (r) => r.bio,
    (r) => r.cohort,
    (r) => r.model,
    (r) => r.kind,
    (r) => r.persona,
    () => step,
  ]);
  const none = (): DuckDBValue => null;
  await appendRows(conn, 'posts', [BIGINT, INTEGER, VARCHAR, VARCHAR, BIGINT, INTEGER, TIMESTAMP, VARCHAR, BIGINT, INTEGER, INTEGER, INTEGER, BIGINT, VARCHAR], batch.posts, [
    (r) => big(r.postId),
    (r) => r.authorId,
    (r) => r.text,
    (r) => r.kind,
    (r) => big(r.parentId),
    () => step,
    () => time,
    (r) => r.label,
    (r) => big(r.rootId),
    none,
    none,
    none,
    (r) => big(r.via?.viaPostId ?? null),
    (r) => r.via?.source ?? null,
  ]);
  const r = batch.reposts;
  await appendColumns(conn, 'reposts', [INTEGER, BIGINT, BIGINT, INTEGER], [r.map((x) => x.userId), r.map((x) => big(x.postId)), r.map((x) => big(x.repostId)), r.map(() => step)]);
  await deletePairs(conn, 'likes', ['user_id', 'post_id'], batch.likes.removed);
  await deletePairs(conn, 'follows', ['follower_id', 'followee_id'], batch.follows.removed);
  await appendPairs(conn, 'likes', batch.likes.added, step, true);
  await appendPairs(conn, 'follows', batch.follows.added, step, false);
  await writePlatformBatch(conn, batch);
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
  await appendRows(conn, 'trace', [INTEGER, INTEGER, TIMESTAMP, INTEGER, VARCHAR, VARCHAR, BOOLEAN, VARCHAR, VARCHAR], batch.trace, [
    () => step,
    (_, i) => firstSeq + i,
    () => time,
    (x) => x.agentId,
    (x) => x.action,
    (x) => x.args,
    (x) => x.ok,
    (x) => x.result,
    (x) => x.error,
  ]);
}
