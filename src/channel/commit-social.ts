import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { BIGINT, INTEGER, VARCHAR } from '../common/duckdb-api.js';
import { PairDiff, type StepBatch } from './batch.js';
import { appendColumns, appendPairs, big, deletePairs } from './chunks.js';

/** Keys per UPDATE statement (DuckDB caps statement size). */
const UPDATE_CHUNK = 2000;

/**
 * The messaging and list part of a step's batch: direct and group messages, groups and their
 * membership history (rows opened and closed), lists with their members and pins (net changes).
 */
export async function writeSocialBatch(conn: DuckDBConnection, batch: StepBatch): Promise<void> {
  const { step } = batch;
  const dm = batch.directMessages;
  await appendColumns(
    conn,
    'direct_messages',
    [BIGINT, INTEGER, INTEGER, VARCHAR, INTEGER],
    [dm.map((m) => big(m.messageId)), dm.map((m) => m.senderId), dm.map((m) => m.recipientId), dm.map((m) => m.text), dm.map((): DuckDBValue => step)],
  );
  const g = batch.groups;
  await appendColumns(conn, 'groups', [INTEGER, INTEGER, VARCHAR, INTEGER], [g.map((x) => x.id), g.map((x) => x.ownerId), g.map((x) => x.name), g.map((): DuckDBValue => step)]);
  // Close rows of earlier steps before appending this step's: the update must not reach the new rows.
  const closed = [...batch.closedMemberships].sort((a, b) => a - b);
  for (let i = 0; i < closed.length; i += UPDATE_CHUNK) {
    const values = closed
      .slice(i, i + UPDATE_CHUNK)
      .map((k) => `(${PairDiff.split(k).join(',')})`)
      .join(',');
    await conn.run(
      `UPDATE group_members SET left_step = $1 FROM (VALUES ${values}) AS gone(g, u)
       WHERE group_members.group_id = gone.g AND group_members.user_id = gone.u AND group_members.left_step IS NULL`,
      [step],
    );
  }
  const j = batch.joins;
  await appendColumns(conn, 'group_members', [INTEGER, INTEGER, INTEGER, INTEGER], [j.map((x) => x.groupId), j.map((x) => x.userId), j.map((): DuckDBValue => step), j.map((x) => x.leftStep)]);
  const gm = batch.groupMessages;
  await appendColumns(
    conn,
    'group_messages',
    [BIGINT, INTEGER, INTEGER, VARCHAR, INTEGER],
    [gm.map((m) => big(m.messageId)), gm.map((m) => m.groupId), gm.map((m) => m.senderId), gm.map((m) => m.text), gm.map((): DuckDBValue => step)],
  );
  const l = batch.lists;
  await appendColumns(conn, 'lists', [INTEGER, INTEGER, VARCHAR, INTEGER], [l.map((x) => x.id), l.map((x) => x.ownerId), l.map((x) => x.name), l.map((): DuckDBValue => step)]);
  await deletePairs(conn, 'list_members', ['list_id', 'user_id'], batch.listMembers.removed);
  await deletePairs(conn, 'list_pins', ['user_id', 'list_id'], batch.listPins.removed);
  await appendPairs(conn, 'list_members', batch.listMembers.added, step, false);
  await appendPairs(conn, 'list_pins', batch.listPins.added, step, false);
}
